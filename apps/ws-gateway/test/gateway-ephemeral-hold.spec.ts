// Ephemeral frames (typing, member) wait in the corked socket for company (EPHEMERAL_HOLD_MS);
// liveness frames must never wait behind them. The hold is set far beyond every wait below, so
// a frame that arrives was released, not timed out.
import { uniqueName, waitFor, type TestClient } from '@relay/testing';
import { startGateway, useGatewayWorld, type RunningGateway } from './harness';

const HOLD_FOREVER_MS = '600000';

async function typingWritten(gw: RunningGateway): Promise<number> {
  const text = await (await fetch(`${gw.http}/metrics`)).text();
  return Number(/relay_gateway_frames_out_total\{[^}]*type="typing"[^}]*\} (\d+)/.exec(text)?.[1] ?? 0);
}

/** Two members of a room; the second types, so a `typing` frame is written to (held in) the first's socket. */
async function heldTypingFor(gw: RunningGateway): Promise<{ reader: TestClient; room: string }> {
  const room = uniqueName('room');
  const reader = await gw.connect(uniqueName('reader'));
  const typist = await gw.connect(uniqueName('typist'));
  await reader.request({ type: 'join', room });
  await typist.request({ type: 'join', room });
  const before = await typingWritten(gw);
  typist.send({ type: 'typing', room });
  await waitFor(async () => (await typingWritten(gw)) > before, { what: 'the typing frame written to the reader socket' });
  expect(reader.received((f) => f.type === 'typing')).toEqual([]);
  return { reader, room };
}

describe('gateway ephemeral hold', () => {
  const world = useGatewayWorld({}, { gateway: false });

  it('hold - a client ping is answered at once, and releases the held frames before the pong', async () => {
    const gw = await startGateway(world.nats.url, { EPHEMERAL_HOLD_MS: HOLD_FOREVER_MS });
    try {
      const { reader, room } = await heldTypingFor(gw);
      const pong = new Promise<void>((resolve) => reader.ws.once('pong', () => resolve()));
      reader.ws.ping();
      await Promise.race([pong, new Promise((_, reject) => setTimeout(() => reject(new Error('no pong within 10 s')), 10000))]);
      await waitFor(() => reader.received((f) => f.type === 'typing' && f.room === room).length === 1, { what: 'the held typing frame' });
    } finally {
      await gw.close();
    }
  });

  it('hold - the heartbeat ping is not held: a connection with held frames answers it and stays open', async () => {
    const gw = await startGateway(world.nats.url, { EPHEMERAL_HOLD_MS: HOLD_FOREVER_MS, PING_INTERVAL_MS: '200' });
    try {
      const { reader } = await heldTypingFor(gw);
      const pinged = new Promise<void>((resolve) => reader.ws.once('ping', () => resolve()));
      await Promise.race([pinged, new Promise((_, reject) => setTimeout(() => reject(new Error('no heartbeat ping within 10 s')), 10000))]);
      // Missing pongs would have dropped it after two intervals; it still answers.
      expect(await reader.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
    } finally {
      await gw.close();
    }
  });
});
