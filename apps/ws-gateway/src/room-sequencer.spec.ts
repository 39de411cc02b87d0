import type { ChatMessage } from '@relay/contracts';
import { RoomSequencer } from './room-sequencer';

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

  it('sequencer - a jump beyond the bound that history confirms is skipped to, not walked', async () => {
    const fetchGap = jest.fn(async (from: number, to: number) => (from === 5000 && to === 5000 ? [msg(5000)] : []));
    const { out } = { out: [] as number[] };
    const seq = new RoomSequencer({ deliver: (m) => out.push(m.seq), fetchGap, gapWaitMs: 100, onError: () => undefined, maxGap: 1000 });
    seq.anchor(0);
    seq.accept(msg(5000));
    await jest.advanceTimersByTimeAsync(100);
    expect(fetchGap).toHaveBeenCalledTimes(1);
    expect(out).toEqual([5000]);
    seq.accept(msg(5001));
    expect(out).toEqual([5000, 5001]);
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
