/**
 * Delivery accounting. Every message a virtual user sends carries (sender, n), n = 1, 2, 3 ...
 * Each receiver records which (sender, n) it got; at the end the coordinator compares that with
 * what each sender had acknowledged (`sent`), across all workers:
 *   expected = sum over rooms of acked messages x joined members (the sender's own connection included)
 *   lost     = acked messages a member never received
 * A duplicate is the same (sender, n) reaching the same receiver twice (redelivery or a double store);
 * out-of-order is a room `seq` not above the last one that receiver saw in that room; for a system
 * without room sequence numbers (seq 0: the Socket.IO reference peer) it is a sender's n not above
 * the last n that receiver got from that sender.
 */

/** Sorted, merged inclusive ranges: [[1, 500]] for 1..500. Compact for the usual gap-free sets. */
export type Ranges = Array<[number, number]>;

export function encodeRanges(values: Iterable<number>): Ranges {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  const out: Ranges = [];
  for (const v of sorted) {
    const last = out[out.length - 1];
    if (last && v === last[1] + 1) last[1] = v;
    else out.push([v, v]);
  }
  return out;
}

export function decodeRanges(ranges: Ranges): Set<number> {
  const out = new Set<number>();
  for (const [from, to] of ranges) for (let v = from; v <= to; v++) out.add(v);
  return out;
}

export type DeliveryVerdict = 'new' | 'duplicate' | 'out-of-order';

interface ReceiverState {
  room: string;
  lastSeq: number;
  seen: Map<string, Set<number>>;
  lastNBySender: Map<string, number>;
}

/** Per-worker record of what each local receiver got. */
export class DeliveryLedger {
  private readonly receivers = new Map<string, ReceiverState>();
  unique = 0;
  duplicates = 0;
  outOfOrder = 0;

  addReceiver(user: string, room: string): void {
    this.receivers.set(user, { room, lastSeq: 0, seen: new Map(), lastNBySender: new Map() });
  }

  /** An out-of-order delivery is still a new one (counted in `unique` too): it is late, not lost. */
  record(receiver: string, from: string, n: number, seq: number): DeliveryVerdict {
    const state = this.receivers.get(receiver);
    if (!state) throw new Error(`delivery to unknown receiver ${receiver}`);
    let seen = state.seen.get(from);
    if (!seen) {
      seen = new Set();
      state.seen.set(from, seen);
    }
    if (seen.has(n)) {
      this.duplicates++;
      return 'duplicate';
    }
    seen.add(n);
    this.unique++;
    let inOrder: boolean;
    if (seq > 0) {
      inOrder = seq > state.lastSeq;
      if (inOrder) state.lastSeq = seq;
    } else {
      inOrder = n > (state.lastNBySender.get(from) ?? 0);
      if (inOrder) state.lastNBySender.set(from, n);
    }
    if (!inOrder) this.outOfOrder++;
    return inOrder ? 'new' : 'out-of-order';
  }

  reports(): ReceiverReport[] {
    return [...this.receivers.entries()].map(([user, s]) => ({
      user,
      room: s.room,
      seen: Object.fromEntries([...s.seen.entries()].map(([from, set]) => [from, encodeRanges(set)])),
    }));
  }
}

export interface SenderReport {
  user: string;
  room: string;
  /** The n of every message the gateway confirmed with `sent`. */
  acked: Ranges;
}

export interface ReceiverReport {
  user: string;
  room: string;
  /** sender user -> the n received from that sender. */
  seen: Record<string, Ranges>;
}

export interface DeliveryTotals {
  expected: number;
  /** Unique deliveries of acknowledged messages. */
  received: number;
  lost: number;
  /** Deliveries of messages whose `sent` never arrived (stored, but the ack was lost or late). */
  unconfirmed: number;
  /** Rooms with at least one lost delivery, for the report. */
  roomsWithLoss: string[];
}

/** Exact loss across all workers: each receiver must have every acked message of every sender in its room. */
export function computeDeliveryTotals(senders: SenderReport[], receivers: ReceiverReport[]): DeliveryTotals {
  const sendersByRoom = new Map<string, Array<{ user: string; acked: Set<number> }>>();
  for (const s of senders) {
    const list = sendersByRoom.get(s.room) ?? [];
    list.push({ user: s.user, acked: decodeRanges(s.acked) });
    sendersByRoom.set(s.room, list);
  }
  const totals: DeliveryTotals = { expected: 0, received: 0, lost: 0, unconfirmed: 0, roomsWithLoss: [] };
  const lossRooms = new Set<string>();
  for (const r of receivers) {
    const roomSenders = sendersByRoom.get(r.room) ?? [];
    for (const s of roomSenders) {
      const seen = decodeRanges(r.seen[s.user] ?? []);
      totals.expected += s.acked.size;
      for (const n of s.acked) {
        if (seen.has(n)) totals.received++;
        else {
          totals.lost++;
          lossRooms.add(r.room);
        }
      }
      for (const n of seen) if (!s.acked.has(n)) totals.unconfirmed++;
    }
    // Messages from users who are not senders in this room (should not exist) count as unconfirmed.
    const known = new Set(roomSenders.map((s) => s.user));
    for (const [from, ranges] of Object.entries(r.seen)) if (!known.has(from)) totals.unconfirmed += decodeRanges(ranges).size;
  }
  totals.roomsWithLoss = [...lossRooms].sort();
  return totals;
}
