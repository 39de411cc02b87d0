import { isScanCursor, MAX_USER_ENTRY_BYTES, readMembersPage, type RoomScan, type ScanRoom } from './room-members-page';

/** A scripted HSCAN: each call answers from the list of scans keyed by the cursor it was given. */
function scripted(scans: Record<string, RoomScan>): ScanRoom & { calls: Array<[string, number]> } {
  const calls: Array<[string, number]> = [];
  const fn = async (cursor: string, count: number) => {
    calls.push([cursor, count]);
    const got = scans[cursor];
    if (!got) throw new Error(`no scan scripted at cursor ${cursor}`);
    return got;
  };
  return Object.assign(fn, { calls });
}

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_x, i) => `${prefix}${String(i).padStart(5, '0')}`.padEnd(64, 'x'));

describe('room members page', () => {
  it('members page - scans follow each other until the budget would be passed; the next page starts at the scan not taken', async () => {
    const [a, b, c] = [ids('a', 100), ids('b', 100), ids('c', 100)];
    const scan = scripted({ '0': { cursor: '11', users: a }, '11': { cursor: '22', users: b }, '22': { cursor: '0', users: c } });
    // Room for 250 entries: two scans of 100 fit, the third would not.
    const opts = { budgetBytes: 64 + 250 * MAX_USER_ENTRY_BYTES, scanCount: 100, maxScans: 32 };
    const first = await readMembersPage(scan, '0', { ...opts, scanCount: 10 });
    expect(first).toEqual({ users: [...a, ...b].sort(), cursor: '22' });
    expect(scan.calls.map(([cur]) => cur)).toEqual(['0', '11', '22']);
    const second = await readMembersPage(scan, first.cursor, opts);
    expect(second).toEqual({ users: [...c].sort(), cursor: '0' });
  });

  it('members page - a single scan over the budget is retried with a smaller COUNT; at COUNT 1 it is an error', async () => {
    const big = ids('big', 40);
    const counts: number[] = [];
    // Like HSCAN on a hash table, it returns a few more than COUNT (whole buckets).
    const overshooting: ScanRoom = async (_cursor, count) => {
      counts.push(count);
      return { cursor: '5', users: big.slice(0, count + 5) };
    };
    const page = await readMembersPage(overshooting, '0', { budgetBytes: 64 + 12 * MAX_USER_ENTRY_BYTES, scanCount: 40, maxScans: 1 });
    expect(page).toEqual({ users: big.slice(0, 12), cursor: '5' });
    expect(counts[0]).toBe(12);
    expect(counts.length).toBeGreaterThan(1);
    expect(counts.every((c, i) => i === 0 || c < counts[i - 1])).toBe(true);

    const unsplittable: ScanRoom = async () => ({ cursor: '0', users: big });
    await expect(readMembersPage(unsplittable, '0', { budgetBytes: 64 + 12 * MAX_USER_ENTRY_BYTES, scanCount: 40, maxScans: 4 })).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringContaining('PRESENCE_MEMBERS_PAGE_TOO_LARGE'),
    });
  });

  it('members page - duplicates within a page are dropped and maxScans bounds the work of one page', async () => {
    const scan = scripted({ '0': { cursor: '7', users: ['u1', 'u2', 'u1'] }, '7': { cursor: '9', users: ['u2', 'u3'] } });
    expect(await readMembersPage(scan, '0', { budgetBytes: 1 << 20, scanCount: 10, maxScans: 2 })).toEqual({ users: ['u1', 'u2', 'u3'], cursor: '9' });
    expect(scan.calls).toHaveLength(2);
  });

  it('members page - only decimal 64-bit cursors are accepted', async () => {
    expect(['0', '17', '18446744073709551615'].every(isScanCursor)).toBe(true);
    expect(['', '-1', '01', '1e3', 'abc', '18446744073709551616', '0x10'].some(isScanCursor)).toBe(false);
    await expect(readMembersPage(scripted({}), 'nope', { budgetBytes: 1 << 20, scanCount: 10, maxScans: 2 })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('PRESENCE_CURSOR_INVALID'),
    });
  });
});
