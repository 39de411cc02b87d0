import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import { CLOSE_CODES, type ErrorServerFrame } from '@relay/contracts';
import type { GatewayError } from './errors';
import type { GatewayMetrics } from './metrics';
import { TokenBucket } from './rate-limiter';
import { RecentIds, type Logger } from '@relay/service-kit';
import { WireFrame } from './wire-frame';

/**
 * Outbound classes: `reliable` frames (replies, messages, notifications) are never dropped
 * silently (past the hard limit the connection is closed and recovers with `since`);
 * `ephemeral` ones (typing, member) are dropped first once the soft limit is passed.
 */
export type FrameClass = 'reliable' | 'ephemeral';

export interface ConnectionLimits {
  ratePerSec: number;
  rateBurst: number;
  outboundSoftLimitBytes: number;
  outboundHardLimitBytes: number;
  slowCloseGraceMs: number;
  /**
   * How long ephemeral frames (typing, member) may wait in a corked socket for company
   * (EPHEMERAL_HOLD_MS, default 250). In a reconnect storm every join sends a `member` frame to
   * every member of the room, one system call each; held for a while, the frames of several joins
   * leave in one write (the busier the room, the more per write), and a presence or typing change
   * shown this much later is not noticed. 0: they leave with the iteration like reliable ones.
   */
  ephemeralHoldMs: number;
}

/** A message frame waiting while its room's join is in flight. */
interface BufferedMessage {
  seq: number;
  epoch?: string;
  frame: WireFrame;
}

/** One room of one connection: joining (live messages buffered) or joined (lastSeq dedups). */
interface RoomState {
  lastSeq: number;
  /** The room's epoch `lastSeq` counts in; a later epoch starts the count over. */
  epoch?: string;
  buffer?: BufferedMessage[];
  /** Bytes held in `buffer`: bounded like the outbound buffer. */
  bufferedBytes: number;
}

const NOTIFICATION_DEDUP_CAPACITY = 1000;

/**
 * Connections whose socket holds writes, all released by one callback (not one per socket): the
 * first connection added schedules it, right after the poll phase (`delayMs` 0) or `delayMs`
 * later. A connection is in a group at most once; a release finds nothing to do for a socket
 * released meanwhile. (Module-wide: a process runs one gateway.)
 */
class ReleaseGroup {
  private members = new Set<Connection>();

  add(conn: Connection, delayMs: number): void {
    if (this.members.size === 0) {
      if (delayMs === 0) setImmediate(() => this.release());
      else setTimeout(() => this.release(), delayMs).unref();
    }
    this.members.add(conn);
  }

  has(conn: Connection): boolean {
    return this.members.has(conn);
  }

  private release(): void {
    const list = this.members;
    this.members = new Set();
    for (const conn of list) conn.releaseHeldWrites();
  }
}

/** Any reliable frame (replies, messages): released right after the poll phase. */
const releaseSoon = new ReleaseGroup();
/** Ephemeral frames only (typing, member): released `ephemeralHoldMs` after the first of them. */
const releaseLater = new ReleaseGroup();

/** One client socket: its rooms, its rate limit, and its outbound bounds. */
export class Connection {
  readonly rooms = new Map<string, RoomState>();
  readonly connectedAt = Date.now();
  readonly bucket: TokenBucket;
  /** Cleared on every ping, set by the pong: a connection that misses one round is dropped. */
  alive = true;
  private closing = false;
  private closeTimer?: NodeJS.Timeout;
  /** Made on the first notification: most connections never get one (memory per idle connection). */
  private seenNotifications?: RecentIds;
  /** The tail of each room's queue of join/leave operations; emptied when the queue is, so shared until used. */
  private roomOps?: Map<string, Promise<void>>;
  /** The socket while writes are held in it, to go out in one system call. */
  private heldSocket?: Socket;
  private childLogger?: Logger;

  constructor(
    readonly ws: WebSocket,
    readonly user: string,
    readonly session: string,
    private readonly limits: ConnectionLimits,
    private readonly metrics: GatewayMetrics,
    /** The gateway's logger; this connection's child of it (session, user) is made when first used. */
    private readonly parentLogger: Logger,
  ) {
    this.bucket = new TokenBucket(limits.ratePerSec, limits.rateBurst);
  }

  /** The socket has closed (called by the gateway's one close listener): nothing more is written. */
  markClosed(): void {
    this.closing = true;
    clearTimeout(this.closeTimer);
  }

  get isClosing(): boolean {
    return this.closing;
  }

  /**
   * Writes a frame: text (encoded here) or a WireFrame the fan-out encoded once for every
   * member. Returns false when the frame was not written.
   */
  send(frame: string | WireFrame, type: string, cls: FrameClass = 'reliable', countOut = true): boolean {
    if (this.closing) {
      this.metrics.droppedFrames.inc({ reason: 'closing' });
      return false;
    }
    const wire = typeof frame === 'string' ? WireFrame.text(frame) : frame;
    let buffered = this.ws.bufferedAmount;
    // Bytes we hold back ourselves are not the client's backlog: hand them to the kernel before
    // judging the client by them, or a burst to a fast reader would look like a slow consumer.
    if (this.heldSocket && buffered + wire.byteLength > this.limits.outboundSoftLimitBytes) {
      this.releaseHeldWrites();
      buffered = this.ws.bufferedAmount;
    }
    if (cls === 'ephemeral' && buffered > this.limits.outboundSoftLimitBytes) {
      this.metrics.droppedFrames.inc({ reason: 'backpressure' });
      return false;
    }
    // A frame larger than the limit on its own (a big presence list) may go out when nothing is
    // queued: memory stays bounded by the limit plus one frame, and a reader that keeps up is
    // never cut off for one large reply.
    if (buffered > 0 && buffered + wire.byteLength > this.limits.outboundHardLimitBytes) {
      this.metrics.droppedFrames.inc({ reason: 'slow-consumer' });
      this.logger.warn({ session: this.session, user: this.user, buffered }, 'slow consumer: closing with 1008');
      this.close(CLOSE_CODES.POLICY, 'slow consumer');
      return false;
    }
    if (!this.write(wire, cls)) {
      this.metrics.droppedFrames.inc({ reason: 'closing' });
      return false;
    }
    // The fan-out counts its frames once per message, not once per recipient.
    if (countOut) this.metrics.framesOut.inc({ type });
    return true;
  }

  /**
   * The frame's bytes go straight to the TCP socket, as `ws` itself writes a frame when no
   * extension is negotiated (the server never offers permessage-deflate): control frames and
   * the close frame still go through `ws` on the same socket, in order. Nothing is written once
   * the WebSocket is no longer open (a close frame is the last thing the peer may get).
   *
   * The socket is corked at its first write and uncorked right after the poll phase when a
   * reliable frame is among the writes (every frame written meanwhile, the messages of every
   * NATS read of the iteration, a reply and its fan-out, leaves in one writev instead of one
   * system call each), or up to `ephemeralHoldMs` later when only ephemeral frames are. Corked
   * bytes still count in bufferedAmount.
   */
  private write(wire: WireFrame, cls: FrameClass): boolean {
    const socket = (this.ws as unknown as { _socket?: Socket })._socket;
    if (this.ws.readyState !== WebSocket.OPEN || !socket || socket.destroyed) return false;
    if (!this.heldSocket) {
      socket.cork();
      this.heldSocket = socket;
    }
    if (cls === 'reliable' || this.limits.ephemeralHoldMs === 0) releaseSoon.add(this, 0);
    else if (!releaseSoon.has(this)) releaseLater.add(this, this.limits.ephemeralHoldMs);
    socket.write(wire.bytes);
    return true;
  }

  /** Lets the held writes go; a later release of a group this connection is in finds nothing to do. */
  releaseHeldWrites(): void {
    const socket = this.heldSocket;
    if (!socket) return;
    this.heldSocket = undefined;
    socket.uncork();
  }

  /** Log lines of this connection carry its session and user; most idle connections never log. */
  get logger(): Logger {
    return (this.childLogger ??= this.parentLogger.child({ session: this.session, user: this.user }));
  }

  sendFrame<F extends { type: string }>(frame: F, cls: FrameClass = 'reliable'): boolean {
    return this.send(JSON.stringify(frame), frame.type, cls);
  }

  sendError(err: GatewayError, ref?: string): void {
    const frame: ErrorServerFrame = { type: 'error', code: err.clientCode, message: err.message };
    if (ref !== undefined) frame.ref = ref;
    if (err.retryAfterMs !== undefined) frame.retryAfterMs = err.retryAfterMs;
    this.metrics.errors.inc({ code: err.clientCode });
    this.sendFrame(frame);
  }

  /**
   * Closes with a code; when the close frame cannot be flushed (the peer stopped reading)
   * within the grace period, the TCP connection is cut.
   */
  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.metrics.closes.inc({ code: String(code) });
    // Held frames go first: the close frame must not wait behind them for the ephemeral hold.
    this.releaseHeldWrites();
    this.ws.close(code, reason);
    this.closeTimer = setTimeout(() => this.ws.terminate(), this.limits.slowCloseGraceMs);
    this.closeTimer.unref();
  }

  /**
   * Resolves true once everything queued for this socket has been handed to the kernel (the
   * client is reading), false when the connection closes or the wait passes `timeoutMs` (then
   * the connection is closed with 1008 as a slow consumer).
   */
  async whenDrained(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Bytes we hold back ourselves (ephemeral frames waiting for company) are not the client's backlog.
      this.releaseHeldWrites();
      if (this.closing || this.ws.bufferedAmount === 0) break;
      if (Date.now() > deadline) {
        this.metrics.droppedFrames.inc({ reason: 'slow-consumer' });
        this.close(CLOSE_CODES.POLICY, 'slow consumer');
        return false;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    return !this.closing;
  }

  // --- rooms -----------------------------------------------------------------------------

  /** Runs `op` after every earlier join/leave of the same room on this connection has finished. */
  inRoomOrder(room: string, op: () => Promise<void>): Promise<void> {
    const ops = (this.roomOps ??= new Map());
    const previous = ops.get(room) ?? Promise.resolve();
    const next = previous.then(op, op);
    ops.set(room, next);
    void next.finally(() => {
      if (ops.get(room) === next) ops.delete(room);
      if (ops.size === 0 && this.roomOps === ops) this.roomOps = undefined;
    });
    return next;
  }

  isMember(room: string): boolean {
    return this.rooms.has(room);
  }

  /** Starts (or restarts) a join: live messages are buffered until `finishJoin`. */
  beginJoin(room: string): void {
    const state = this.rooms.get(room);
    if (state) state.buffer ??= [];
    else this.rooms.set(room, { lastSeq: 0, buffer: [], bufferedBytes: 0 });
  }

  /** Ends a join: everything up to `lastSeq` was replayed, the buffer fills the rest with no duplicate. */
  finishJoin(room: string, lastSeq: number, epoch?: string): void {
    const state = this.rooms.get(room);
    if (!state) return;
    const buffer = state.buffer ?? [];
    state.buffer = undefined;
    state.bufferedBytes = 0;
    state.lastSeq = lastSeq;
    if (epoch !== undefined) state.epoch = epoch;
    for (const m of buffer) this.deliverMessage(room, m.seq, m.frame, m.epoch);
  }

  /** A join that failed: back to the state before it. */
  abortJoin(room: string, wasMember: boolean): void {
    const state = this.rooms.get(room);
    if (!state) return;
    if (!wasMember) this.rooms.delete(room);
    else this.finishJoin(room, state.lastSeq, state.epoch);
  }

  /**
   * Live fan-out of one room message; the seq check makes the join seam duplicate-free. A later
   * epoch (the room's store was reset, seqs start over) restarts the count, an earlier one is stale.
   */
  deliverMessage(room: string, seq: number, frame: WireFrame, epoch?: string): boolean {
    const state = this.rooms.get(room);
    if (!state) return false;
    if (state.buffer) {
      // Held while the join is in flight; a room so busy that this passes the hard limit is a
      // slow consumer like any other: closed, and it recovers with `since`.
      state.bufferedBytes += frame.byteLength;
      if (state.bufferedBytes > this.limits.outboundHardLimitBytes) {
        this.metrics.droppedFrames.inc({ reason: 'slow-consumer' });
        this.logger.warn({ session: this.session, user: this.user, room, bytes: state.bufferedBytes }, 'join buffer over the hard limit: closing with 1008');
        this.close(CLOSE_CODES.POLICY, 'slow consumer');
        return false;
      }
      state.buffer.push({ seq, epoch, frame });
      return false;
    }
    if (epoch !== undefined && epoch !== state.epoch) {
      if (state.epoch !== undefined && epoch < state.epoch) return false;
      state.epoch = epoch;
      state.lastSeq = 0;
    }
    if (seq <= state.lastSeq) return false;
    state.lastSeq = seq;
    return this.send(frame, 'message', 'reliable', false);
  }

  /** Typing and member frames: only to connections whose join has completed. */
  deliverEphemeral(room: string, frame: WireFrame, type: string): boolean {
    const state = this.rooms.get(room);
    if (!state || state.buffer) return false;
    return this.send(frame, type, 'ephemeral', false);
  }

  /** A notification at most once per connection (live and pending may race). */
  deliverNotification(id: string, frame: string): boolean {
    const seen = (this.seenNotifications ??= new RecentIds({ maxIds: NOTIFICATION_DEDUP_CAPACITY }));
    if (seen.has(id)) return true;
    if (!this.send(frame, 'notification')) return false;
    seen.add(id);
    return true;
  }
}
