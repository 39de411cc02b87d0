import type { Socket } from 'node:net';
import { signToken, startNats, TestClient, uniqueName, waitFor, type TestNats } from '@relay/testing';
import { FakeServices } from '../test/fake-services';
import { SECRET, startGateway } from '../test/harness';

describe('gateway lifecycle', () => {
  let nats: TestNats;
  let fake: FakeServices;

  beforeAll(async () => {
    nats = await startNats();
    fake = await FakeServices.start(nats.url);
  });

  afterAll(async () => {
    await fake?.close();
    await nats?.close();
  });

  it('lifecycle - graceful shutdown closes every socket with 1012, refuses new ones and drains NATS', async () => {
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
    const gw = await startGateway(nats.url, { PING_INTERVAL_MS: '100' });
    try {
      const c = await gw.connect('dave');
      const live = await gw.connect('erin');
      // A paused socket reads no ping, so it sends no pong.
      (c.ws as unknown as { _socket: Socket })._socket.pause();
      await waitFor(() => gw.app.registry.connectionCount === 1, { what: 'the silent connection dropped', timeoutMs: 5000 });
      // One that answers stays, several intervals later.
      await new Promise((r) => setTimeout(r, 350));
      expect(await live.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
    } finally {
      await gw.close();
    }
  });
});
