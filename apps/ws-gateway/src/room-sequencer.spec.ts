import type { ChatMessage } from '@relay/contracts';
import { RoomSequencer, type SkippedRange } from './room-sequencer';

const msg = (seq: number): ChatMessage => ({ room: 'r', id: `id${seq}`, seq, from: 'u', text: 't', ts: 0 });

describe('room sequencer', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function make(fetchGap = jest.fn(async (_from: number, _to: number): Promise<ChatMessage[]> => [])) {
    const out: number[] = [];
    const seq = new RoomSequencer({ deliver: (m) => out.push(m.seq), fetchGap, gapWaitMs: 100, onError: () => undefined });
    return { seq, out, fetchGap };
  }

  it('sequencer - holds live messages until the join anchors the stream, dropping the ones before it', () => {
    const { seq, out } = make();
    seq.accept(msg(5));
    seq.accept(msg(6));
    expect(out).toEqual([]);
    seq.anchor(5);
    expect(out).toEqual([6]);
  });

  it('sequencer - reorders an out-of-order pair and drops duplicates', () => {
    const { seq, out } = make();
    seq.anchor(0);
    seq.accept(msg(2));
    seq.accept(msg(1));
    seq.accept(msg(1));
    seq.accept(msg(3));
    expect(out).toEqual([1, 2, 3]);
  });

  it('sequencer - a hole that stays open is fetched from history, or skipped when history has nothing', async () => {
    const fetchGap = jest.fn(async (from: number, to: number) => (from === 1 ? [msg(1), msg(2)].filter((m) => m.seq <= to) : []));
    const { seq, out } = make(fetchGap);
    seq.anchor(0);
    seq.accept(msg(3));
    expect(out).toEqual([]);
    await jest.advanceTimersByTimeAsync(100);
    expect(fetchGap).toHaveBeenCalledWith(1, 2);
    expect(out).toEqual([1, 2, 3]);
    seq.accept(msg(5));
    await jest.advanceTimersByTimeAsync(100);
    expect(out).toEqual([1, 2, 3, 5]);
    seq.accept(msg(4));
    expect(out).toEqual([1, 2, 3, 5]);
  });

  it('sequencer - without an anchor (join failed) it starts at the lowest held after the wait', async () => {
    const { seq, out } = make();
    seq.accept(msg(8));
    seq.accept(msg(7));
    await jest.advanceTimersByTimeAsync(100);
    expect(out).toEqual([7, 8]);
  });

  it('sequencer - an absurd seq jump (forged 2^53) is one bounded history check, dropped, and the room goes on', async () => {
    const fetchGap = jest.fn(async (_from: number, _to: number): Promise<ChatMessage[]> => []);
    const dropped: number[] = [];
    const out: number[] = [];
    const seq = new RoomSequencer({ deliver: (m) => out.push(m.seq), fetchGap, gapWaitMs: 100, onError: () => undefined, maxGap: 1000, onDropped: (m) => dropped.push(m.seq) });
    seq.anchor(10);
    const huge = Number.MAX_SAFE_INTEGER;
    seq.accept(msg(huge));
    await jest.advanceTimersByTimeAsync(100);
    // One fetch of that one seq, never a walk over the hole.
    expect(fetchGap.mock.calls).toEqual([[huge, huge]]);
    expect(dropped).toEqual([huge]);
    // The real stream continues where it was.
    seq.accept(msg(11));
    seq.accept(msg(12));
    expect(out).toEqual([11, 12]);
  });

  it('sequencer - a hole wider than the bound that history confirms is filled in steps of the bound, oldest first', async () => {
    const fetchGap = jest.fn(async (from: number, to: number) => Array.from({ length: to - from + 1 }, (_x, i) => msg(from + i)));
    const out: number[] = [];
    const seq = new RoomSequencer({ deliver: (m) => out.push(m.seq), fetchGap, gapWaitMs: 100, onError: () => undefined, maxGap: 1000 });
    seq.anchor(0);
    seq.accept(msg(2500));
    await jest.advanceTimersByTimeAsync(100);
    // First the far message itself is checked, then the hole comes in steps of at most 1000.
    expect(fetchGap.mock.calls[0]).toEqual([2500, 2500]);
    await jest.advanceTimersByTimeAsync(1000);
    expect(fetchGap.mock.calls.slice(1)).toEqual([
      [1, 1000],
      [1001, 2000],
      [2001, 2499],
    ]);
    expect(out).toEqual(Array.from({ length: 2500 }, (_x, i) => i + 1));
    seq.accept(msg(2501));
    expect(out.at(-1)).toBe(2501);
    seq.stop();
  });

  it('sequencer - held messages are bounded: a flood of far seqs keeps at most maxGap', async () => {
    const fetchGap = jest.fn(async (_from: number, _to: number): Promise<ChatMessage[]> => []);
    const seq = new RoomSequencer({ deliver: () => undefined, fetchGap, gapWaitMs: 100, onError: () => undefined, maxGap: 10 });
    seq.anchor(0);
    for (let i = 0; i < 100; i++) seq.accept(msg(1_000_000 + i));
    expect((seq as unknown as { held: Map<number, ChatMessage> }).held.size).toBe(10);
    seq.stop();
  });
});

describe('room sequencer epochs', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const inEpoch = (seq: number, epoch: string): ChatMessage => ({ room: 'r', id: `${epoch}-${seq}`, seq, from: 'u', text: 't', ts: 0, epoch });

  function make() {
    const out: string[] = [];
    const seq = new RoomSequencer({ deliver: (m) => out.push(m.id), fetchGap: async () => [], gapWaitMs: 100, onError: () => undefined });
    return { seq, out };
  }

  it('sequencer - a reset store (later epoch, seqs start at 1 again) starts the room over instead of dropping its messages', () => {
    const { seq, out } = make();
    seq.anchor(0, 'E1');
    for (let i = 1; i <= 3; i++) seq.accept(inEpoch(i, 'E1'));
    seq.accept(inEpoch(1, 'E2'));
    seq.accept(inEpoch(2, 'E2'));
    expect(out).toEqual(['E1-1', 'E1-2', 'E1-3', 'E2-1', 'E2-2']);
  });

  it('sequencer - a message of an earlier epoch after the change is stale and dropped', () => {
    const { seq, out } = make();
    seq.anchor(5, 'E2');
    seq.accept(inEpoch(6, 'E1'));
    seq.accept(inEpoch(6, 'E2'));
    expect(out).toEqual(['E2-6']);
  });

  it('sequencer - a later epoch whose seqs continue starts at its lowest message once the hole wait passes, in order', async () => {
    const { seq, out } = make();
    seq.anchor(10, 'E1');
    seq.accept(inEpoch(11, 'E1'));
    seq.accept(inEpoch(9, 'E2'));
    seq.accept(inEpoch(8, 'E2'));
    expect(out).toEqual(['E1-11']);
    await jest.advanceTimersByTimeAsync(100);
    expect(out).toEqual(['E1-11', 'E2-8', 'E2-9']);
    seq.accept(inEpoch(10, 'E2'));
    expect(out).toEqual(['E1-11', 'E2-8', 'E2-9', 'E2-10']);
  });
});

describe('room sequencer tail catch-up', () => {
  it('sequencer - a tail the live stream never delivered is fetched when the store is ahead, once', async () => {
    const out: number[] = [];
    const fetchGap = jest.fn(async (from: number, to: number) => Array.from({ length: to - from + 1 }, (_x, i) => msg(from + i)));
    const seq = new RoomSequencer({ deliver: (m) => out.push(m.seq), fetchGap, gapWaitMs: 100, onError: () => undefined });
    seq.anchor(2);
    seq.accept(msg(3));
    expect(await seq.catchUp(3, undefined, 1000)).toBe(0);
    expect(fetchGap).not.toHaveBeenCalled();
    expect(await seq.catchUp(5, undefined, 1000)).toBe(2);
    expect(fetchGap).toHaveBeenCalledWith(4, 5);
    seq.accept(msg(5));
    expect(out).toEqual([3, 4, 5]);
    seq.stop();
  });
});

describe('room sequencer under history faults', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_x, i) => msg(from + i));

  /** A history whose answers the test releases one by one, to hold fetches in flight. */
  function pendingHistory() {
    const calls: Array<{ from: number; to: number; resolve: (m: ChatMessage[]) => void; reject: (e: Error) => void }> = [];
    const fetchGap = jest.fn(
      (from: number, to: number) =>
        new Promise<ChatMessage[]>((resolve, reject) => {
          calls.push({ from, to, resolve, reject });
        }),
    );
    return { calls, fetchGap };
  }

  function make(fetchGap: (from: number, to: number) => Promise<ChatMessage[]>, extra: Partial<ConstructorParameters<typeof RoomSequencer>[0]> = {}) {
    const out: number[] = [];
    const skipped: SkippedRange[] = [];
    const errors: unknown[] = [];
    const seq = new RoomSequencer({
      deliver: (m) => out.push(m.seq),
      fetchGap,
      gapWaitMs: 100,
      onError: (e) => errors.push(e),
      onSkipped: (s) => skipped.push(s),
      ...extra,
    });
    return { seq, out, skipped, errors };
  }

  it('sequencer - overlapping holes: one fetch at a time, and a late answer settles only the range it asked', async () => {
    const { calls, fetchGap } = pendingHistory();
    const { seq, out, skipped } = make(fetchGap);
    seq.anchor(0);
    seq.accept(msg(5)); // hole 1..4
    await jest.advanceTimersByTimeAsync(100);
    expect(calls.map((c) => [c.from, c.to])).toEqual([[1, 4]]);
    // While it is in flight, the hole fills live and a second hole opens further on.
    for (const n of [1, 2, 3, 4]) seq.accept(msg(n));
    seq.accept(msg(9)); // hole 6..8
    expect(out).toEqual([1, 2, 3, 4, 5]);
    await jest.advanceTimersByTimeAsync(1000);
    // No second fetch while the first is in flight.
    expect(calls).toHaveLength(1);
    // The first answer (empty, its range long delivered) must not skip the second hole.
    calls[0].resolve([]);
    await jest.advanceTimersByTimeAsync(100);
    expect(out).toEqual([1, 2, 3, 4, 5]);
    expect(skipped).toEqual([]);
    expect(calls.map((c) => [c.from, c.to])).toEqual([
      [1, 4],
      [6, 8],
    ]);
    calls[1].resolve(range(6, 8));
    await jest.advanceTimersByTimeAsync(0);
    expect(out).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(skipped).toEqual([]);
    seq.stop();
  });

  it('sequencer - a tail catch-up in flight holds off the hole fetch, which runs once it ends', async () => {
    const { calls, fetchGap } = pendingHistory();
    const { seq, out } = make(fetchGap);
    seq.anchor(2);
    const caught = seq.catchUp(4, undefined, 1000);
    expect(calls.map((c) => [c.from, c.to])).toEqual([[3, 4]]);
    seq.accept(msg(7)); // hole 3..6 seen live while the catch-up runs
    await jest.advanceTimersByTimeAsync(500);
    expect(calls).toHaveLength(1);
    calls[0].resolve(range(3, 4));
    expect(await caught).toBe(2);
    expect(out).toEqual([3, 4]);
    await jest.advanceTimersByTimeAsync(100);
    expect(calls.map((c) => [c.from, c.to])).toEqual([
      [3, 4],
      [5, 6],
    ]);
    calls[1].resolve(range(5, 6));
    await jest.advanceTimersByTimeAsync(0);
    expect(out).toEqual([3, 4, 5, 6, 7]);
    seq.stop();
  });

  it('sequencer - a failed fetch is tried again with a growing, capped wait, and the room resumes in order without a skip', async () => {
    let failures = 6;
    const at: number[] = [];
    const fetchGap = jest.fn(async (from: number, to: number) => {
      at.push(Date.now());
      if (failures-- > 0) throw new Error('breaker open');
      return range(from, to);
    });
    const { seq, out, skipped, errors } = make(fetchGap, { retryMaxDelayMs: 1000, giveUpAfterMs: 60000 });
    const start = Date.now();
    seq.anchor(0);
    seq.accept(msg(3));
    seq.accept(msg(4));
    await jest.advanceTimersByTimeAsync(100 + 200 + 400 + 800 + 1000 + 1000 + 1000);
    // Held live messages wait for the hole: nothing delivered out of order, nothing skipped.
    expect(out).toEqual([1, 2, 3, 4]);
    expect(skipped).toEqual([]);
    expect(errors).toHaveLength(6);
    expect(at.map((t) => t - start)).toEqual([100, 300, 700, 1500, 2500, 3500, 4500]);
    expect(fetchGap.mock.calls.every(([from, to]) => from === 1 && to === 2)).toBe(true);
    seq.stop();
  });

  it('sequencer - a hole whose fetches fail past the give-up bound is skipped once, reported with its range and reason', async () => {
    const fetchGap = jest.fn(async (_from: number, _to: number): Promise<ChatMessage[]> => {
      throw new Error('timeout');
    });
    const { seq, out, skipped } = make(fetchGap, { retryMaxDelayMs: 5000, giveUpAfterMs: 60000 });
    seq.anchor(10);
    seq.accept(msg(15));
    seq.accept(msg(16));
    await jest.advanceTimersByTimeAsync(59000);
    expect(out).toEqual([]);
    expect(skipped).toEqual([]);
    await jest.advanceTimersByTimeAsync(7000);
    expect(out).toEqual([15, 16]);
    expect(skipped).toEqual([{ from: 11, to: 14, count: 4, reason: 'fetch-failed', err: expect.any(Error) }]);
    // Tries were spaced by the capped wait, not a hot loop: about 60 s / 5 s plus the ramp.
    expect(fetchGap.mock.calls.length).toBeGreaterThan(10);
    expect(fetchGap.mock.calls.length).toBeLessThan(20);
    // The stream goes on normally afterwards.
    seq.accept(msg(17));
    expect(out).toEqual([15, 16, 17]);
    seq.stop();
  });

  it('sequencer - seqs history answers without (trimmed) are skipped and reported; the rest of the range is delivered', async () => {
    const fetchGap = jest.fn(async (_from: number, _to: number) => [msg(3), msg(5)]);
    const { seq, out, skipped } = make(fetchGap);
    seq.anchor(0);
    seq.accept(msg(6));
    await jest.advanceTimersByTimeAsync(100);
    expect(fetchGap.mock.calls).toEqual([[1, 5]]);
    expect(out).toEqual([3, 5, 6]);
    expect(skipped).toEqual([{ from: 1, to: 4, count: 3, reason: 'not-in-history', err: undefined }]);
    seq.stop();
  });

  it('sequencer - a fetch answered after the room started over (later epoch) changes nothing', async () => {
    const { calls, fetchGap } = pendingHistory();
    const out: string[] = [];
    const skipped: SkippedRange[] = [];
    const e = (seq: number, epoch: string): ChatMessage => ({ ...msg(seq), id: `${epoch}-${seq}`, epoch });
    const seq = new RoomSequencer({ deliver: (m) => out.push(m.id), fetchGap, gapWaitMs: 100, onError: () => undefined, onSkipped: (s) => skipped.push(s) });
    seq.anchor(0, 'E1');
    seq.accept(e(3, 'E1'));
    await jest.advanceTimersByTimeAsync(100);
    expect(calls).toHaveLength(1);
    seq.accept(e(1, 'E2'));
    calls[0].resolve([e(1, 'E1'), e(2, 'E1')]);
    await jest.advanceTimersByTimeAsync(0);
    expect(out).toEqual(['E2-1']);
    expect(skipped).toEqual([]);
    seq.stop();
  });
});
