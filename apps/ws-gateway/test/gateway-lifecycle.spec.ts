import type { Socket } from 'node:net';
import { signToken, TestClient, uniqueName, waitFor } from '@relay/testing';
import { SECRET, startGateway, useGatewayWorld } from './harness';

describe('gateway lifecycle', () => {
  // Each test starts (and stops) its own gateway.
  const world = useGatewayWorld({}, { gateway: false });

  it('lifecycle - graceful shutdown closes every socket with 1012, refuses new ones and drains NATS', async () => {
    const { nats } = world;
    const gw = await startGateway(nats.url);
    const a = await gw.connect('alice');
    const b = await gw.connect('bob');
    await a.request({ type: 'join', room: uniqueName('room') });
    const stopping = gw.app.shutdown.run('SIGTERM');
    const [ca, cb] = await Promise.all([a.closed, b.closed]);
    expect(ca.code).toBe(1012);
    expect(cb.code).toBe(1012);
    await stopping;
    expect(gw.app.nc.isClosed()).toBe(true);
    await expect(TestClient.connect(gw.url, signToken('carol', SECRET), { timeoutMs: 1000 })).rejects.toThrow();
  });

  it('lifecycle - a connection that stops answering pings is dropped', async () => {
    const { nats } = world;
    const gw = await startGateway(nats.url, { PING_INTERVAL_MS: '100' });
    try {
      const c = await gw.connect('dave');
      const live = await gw.connect('erin');
      // A paused socket reads no ping, so it sends no pong.
      (c.ws as unknown as { _socket: Socket })._socket.pause();
      await waitFor(() => gw.app.registry.connectionCount === 1, { what: 'the silent connection dropped', timeoutMs: 5000 });
      // One that answers (ws pongs by itself) stays, several ping rounds later.
      let pings = 0;
      live.ws.on('ping', () => pings++);
      await waitFor(() => pings >= 3, { what: 'three more pings to the live connection', timeoutMs: 5000 });
      expect(gw.app.registry.connectionCount).toBe(1);
      expect(live.ws.readyState).toBe(live.ws.OPEN);
      expect(await live.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
    } finally {
      await gw.close();
    }
  });
});
