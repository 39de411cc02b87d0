// How Connection batches its socket writes: reliable frames leave right after the poll phase,
// ephemeral-only ones wait up to the hold (EPHEMERAL_HOLD_MS) for company. The socket is a fake that
// records what a real one would be asked to do; everything else is the real Connection.
import { WebSocket } from 'ws';
import type { Logger } from '@relay/service-kit';
import { Connection } from './connection';
import type { GatewayMetrics } from './metrics';
import { WireFrame } from './wire-frame';

class FakeSocket {
  readonly events: string[] = [];
  destroyed = false;
  /** Bytes written while corked: what `ws` would count in bufferedAmount until the uncork. */
  heldBytes = 0;
  private corked = 0;
  cork(): void {
    this.corked++;
    this.events.push('cork');
  }
  uncork(): void {
    this.corked--;
    if (this.corked === 0) this.heldBytes = 0;
    this.events.push('uncork');
  }
  write(bytes: Buffer): boolean {
    if (this.corked > 0) this.heldBytes += bytes.length;
    this.events.push(`write ${bytes.subarray(2).toString()}`);
    return true;
  }
  get isCorked(): boolean {
    return this.corked > 0;
  }
}

function openConnection(): { conn: Connection; socket: FakeSocket; closes: number[] } {
  const socket = new FakeSocket();
  const closes: number[] = [];
  const ws = {
    readyState: WebSocket.OPEN,
    get bufferedAmount() {
      return socket.heldBytes;
    },
    _socket: socket,
    close: (code: number) => {
      socket.events.push(`close ${code}`);
      closes.push(code);
    },
    terminate: () => undefined,
  } as unknown as WebSocket;
  const counter = { inc: () => undefined };
  const metrics = new Proxy({}, { get: () => counter }) as unknown as GatewayMetrics;
  const limits = { ratePerSec: 10, rateBurst: 10, outboundSoftLimitBytes: 1 << 20, outboundHardLimitBytes: 1 << 22, slowCloseGraceMs: 1000, ephemeralHoldMs: EPHEMERAL_HOLD_MS };
  const conn = new Connection(ws, 'u', 's', limits, metrics, { child: () => ({}) } as unknown as Logger);
  return { conn, socket, closes };
}

const EPHEMERAL_HOLD_MS = 250;

const nextIteration = () => new Promise((resolve) => setImmediate(resolve));

describe('Connection writes', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] }));
  afterEach(() => {
    // The module-level hold timer must fire before the fake clock goes, or it would stay armed.
    jest.runOnlyPendingTimers();
    jest.useRealTimers();
  });

  it('writes - a reliable frame leaves right after the iteration, with everything written before it', async () => {
    const { conn, socket } = openConnection();
    conn.send(WireFrame.text('m1'), 'message');
    conn.send(WireFrame.text('m2'), 'message');
    expect(socket.isCorked).toBe(true);
    await nextIteration();
    expect(socket.events).toEqual(['cork', 'write m1', 'write m2', 'uncork']);
  });

  it('writes - ephemeral-only frames wait for the hold, then leave in one write with what came meanwhile', async () => {
    const { conn, socket } = openConnection();
    conn.send(WireFrame.text('t1'), 'typing', 'ephemeral');
    await nextIteration();
    conn.send(WireFrame.text('t2'), 'member', 'ephemeral');
    await nextIteration();
    expect(socket.isCorked).toBe(true);
    jest.advanceTimersByTime(EPHEMERAL_HOLD_MS - 1);
    expect(socket.isCorked).toBe(true);
    jest.advanceTimersByTime(1);
    expect(socket.events).toEqual(['cork', 'write t1', 'write t2', 'uncork']);
  });

  it('writes - a reliable frame releases the ephemeral ones held before it, in order', async () => {
    const { conn, socket } = openConnection();
    conn.send(WireFrame.text('t1'), 'typing', 'ephemeral');
    await nextIteration();
    conn.send(WireFrame.text('m1'), 'message');
    await nextIteration();
    expect(socket.events).toEqual(['cork', 'write t1', 'write m1', 'uncork']);
    // The hold's timer later finds nothing to release.
    jest.advanceTimersByTime(EPHEMERAL_HOLD_MS);
    expect(socket.events.filter((e) => e === 'uncork')).toHaveLength(1);
  });

  it('writes - a close lets the held frames go first, then the close frame', () => {
    const { conn, socket, closes } = openConnection();
    conn.send(WireFrame.text('t1'), 'member', 'ephemeral');
    conn.close(1008, 'slow consumer');
    expect(socket.events).toEqual(['cork', 'write t1', 'uncork', 'close 1008']);
    expect(closes).toEqual([1008]);
  });

  it('writes - waiting for the client to drain does not wait for ephemeral frames the gateway holds itself', async () => {
    const { conn, socket } = openConnection();
    conn.send(WireFrame.text('t1'), 'member', 'ephemeral');
    expect(conn.ws.bufferedAmount).toBeGreaterThan(0);
    // With the fake clock the wait could not go on by itself: it must find nothing to wait for.
    expect(await conn.whenDrained(1000)).toBe(true);
    expect(socket.events).toEqual(['cork', 'write t1', 'uncork']);
  });
});
