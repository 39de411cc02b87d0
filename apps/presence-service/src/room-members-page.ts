import { presenceError } from './errors';

/** One HSCAN call on a room's member hash: the next Redis cursor ('0' = the scan is complete) and the users it returned. */
export interface RoomScan {
  cursor: string;
  users: string[];
}

export type ScanRoom = (cursor: string, count: number) => Promise<RoomScan>;

export interface MembersPageOptions {
  /** Bytes the page's user list may take (the bus's reply budget: what one NATS reply can carry). */
  budgetBytes: number;
  /** COUNT hint of one HSCAN: small enough that one scan is a fraction of the budget. */
  scanCount: number;
  /** Bound on HSCAN calls per page, so one request never turns into a long walk of the hash. */
  maxScans: number;
}

export interface MembersPage {
  users: string[];
  /** Where the next page starts; '0' when the room has been listed completely. */
  cursor: string;
}

/** A user id is a subject token (ASCII, at most 64 characters): 64 + two quotes + a comma. */
export const MAX_USER_ENTRY_BYTES = 67;
/** `{"users":[],"count":N,"cursor":"N"}` around the list. */
const PAGE_OVERHEAD_BYTES = 64;

export const MEMBERS_PAGE_DEFAULTS = { scanCount: 2000, maxScans: 32 } as const;

/** Redis scan cursors are unsigned 64-bit decimals; anything else was not made by us. */
const MAX_CURSOR = 2n ** 64n - 1n;
export function isScanCursor(cursor: string): boolean {
  return /^(0|[1-9][0-9]{0,19})$/.test(cursor) && BigInt(cursor) <= MAX_CURSOR;
}

const entryBytes = (user: string) => Buffer.byteLength(JSON.stringify(user)) + 1;

/**
 * Reads one page of a room's members with HSCAN, starting at `cursor`: as many scans as fit
 * the byte budget (so a room that fit one reply before paging still comes in one page), never
 * more than `maxScans`. A scan that would overflow the page is not taken: the page ends before
 * it and its cursor is where the next page starts again. Only when a single scan alone is over
 * the budget (a hash Redis keeps unscannable in parts, e.g. a huge listpack) is it retried with
 * a smaller COUNT, down to 1. The result never exceeds the budget.
 *
 * HSCAN's guarantee holds across pages: every user who is a member for the whole listing is
 * returned at least once; users who join or leave meanwhile may or may not be. A user may come
 * twice (across pages, while Redis resizes the hash), never twice in one page.
 */
export async function readMembersPage(scan: ScanRoom, cursor: string, opts: MembersPageOptions): Promise<MembersPage> {
  if (!isScanCursor(cursor)) throw presenceError('PRESENCE_CURSOR_INVALID', `cursor ${JSON.stringify(cursor.slice(0, 64))} was not made by presence-service`);
  const users = new Set<string>();
  let used = PAGE_OVERHEAD_BYTES;
  let next = cursor;
  let countCap = opts.scanCount;
  for (let scans = 0; scans < opts.maxScans; ) {
    const room = opts.budgetBytes - used;
    // After the first scan, go on only while a whole nominal scan still fits.
    if (users.size > 0 && room < opts.scanCount * MAX_USER_ENTRY_BYTES) break;
    const count = Math.max(1, Math.min(countCap, Math.floor(room / MAX_USER_ENTRY_BYTES)));
    const got = await scan(next, count);
    const fresh = [...new Set(got.users)].filter((u) => !users.has(u));
    const bytes = fresh.reduce((n, u) => n + entryBytes(u), 0);
    if (used + bytes > opts.budgetBytes) {
      if (users.size > 0) break;
      if (count === 1) throw presenceError('PRESENCE_MEMBERS_PAGE_TOO_LARGE', `one scan of the room returned ${bytes} bytes, over the reply budget of ${opts.budgetBytes}`);
      // Aim at what fits, and shrink by at least a tenth each time, so this ends.
      countCap = Math.max(1, Math.min(Math.floor(count * 0.9), Math.floor((count * room) / bytes)));
      continue;
    }
    for (const u of fresh) users.add(u);
    used += bytes;
    next = got.cursor;
    scans++;
    if (next === '0') break;
  }
  return { users: [...users].sort(), cursor: next };
}
