import type { Socket } from 'node:net';
import { RoomTyping } from '@relay/contracts';
import { uniqueName, waitFor, type TestClient } from '@relay/testing';
import { startGateway, useGatewayWorld, type RunningGateway } from './harness';

/** The client's TCP socket: pausing it makes a consumer that stops reading. */
function tcp(c: TestClient): Socket {
  return (c.ws as unknown as { _socket: Socket })._socket;
}

async function metric(gw: RunningGateway, pattern: RegExp): Promise<number> {
  const text = await (await fetch(`${gw.http}/metrics`)).text();
  const m = pattern.exec(text);
  return m ? Number(m[1]) : 0;
}

const BIG_TEXT = 'x'.repeat(3900);

describe('gateway backpressure', () => {
  // Each test starts its own gateway with its own limits.
  const world = useGatewayWorld({}, { gateway: false });

  it('backpressure - past the soft limit typing is dropped, messages are not, and the socket stays open', async () => {
    const { fake, nats } = world;
    const gw = await startGateway(nats.url, { OUTBOUND_SOFT_LIMIT_BYTES: '16384', OUTBOUND_HARD_LIMIT_BYTES: '268435456' });
    try {
      const room = uniqueName('room');
      const slow = await gw.connect('slow');
      await slow.request({ type: 'join', room });
      tcp(slow).pause();
      let sent = 0;
      // Fill the kernel buffers and then the gateway's outbound buffer, typing in between.
      await waitFor(
        async () => {
          for (let i = 0; i < 100; i++) fake.publishStored(room, BIG_TEXT);
          sent += 100;
          fake.bus.publish(RoomTyping, { room }, { room, user: 'other', session: 'other-session' });
          await fake.nc.flush();
          return (await metric(gw, /relay_gateway_dropped_frames_total\{reason="backpressure"[^}]*\} (\d+)/)) > 0;
        },
        { what: 'a typing frame dropped for backpressure', timeoutMs: 20000, intervalMs: 10 },
      );
      expect(slow.ws.readyState).toBe(slow.ws.OPEN);
      tcp(slow).resume();
      const msgs = await slow.collect((f) => f.type === 'message', sent, 20000);
      expect(msgs.map((m) => m.seq)).toEqual(Array.from({ length: sent }, (_, i) => i + 1));
      expect(slow.received((f) => f.type === 'typing').length).toBeLessThan(sent / 100);
    } finally {
      await gw.close();
    }
  });

  it('backpressure - past the hard limit the connection is closed with 1008 and cut when the close cannot flush', async () => {
    const { fake, nats } = world;
    const gw = await startGateway(nats.url, { OUTBOUND_SOFT_LIMIT_BYTES: '16384', OUTBOUND_HARD_LIMIT_BYTES: '65536', SLOW_CLOSE_GRACE_MS: '200' });
    try {
      const room = uniqueName('room');
      const slow = await gw.connect('slow');
      const fast = await gw.connect('fast');
      await slow.request({ type: 'join', room });
      await fast.request({ type: 'join', room });
      tcp(slow).pause();
      await waitFor(
        async () => {
          for (let i = 0; i < 100; i++) fake.publishStored(room, BIG_TEXT);
          await fake.nc.flush();
          return gw.app.registry.connectionCount === 1;
        },
        { what: 'the slow consumer cut', timeoutMs: 20000, intervalMs: 10 },
      );
      expect(await metric(gw, /relay_gateway_closes_total\{code="1008"[^}]*\} (\d+)/)).toBe(1);
      expect(await metric(gw, /relay_gateway_dropped_frames_total\{reason="slow-consumer"[^}]*\} (\d+)/)).toBeGreaterThan(0);
      tcp(slow).resume();
      const { code } = await slow.closed;
      // 1008 when the close frame got through after all, 1006 when the TCP connection was cut first.
      expect([1008, 1006]).toContain(code);
      // The fast member is unaffected.
      expect(fast.ws.readyState).toBe(fast.ws.OPEN);
      expect(await fast.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
    } finally {
      await gw.close();
    }
  });
});
