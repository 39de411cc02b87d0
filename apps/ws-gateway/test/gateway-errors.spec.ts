import { TestClient, type Frame, uniqueName, waitFor } from '@relay/testing';
import { useGatewayWorld } from './harness';

describe('gateway errors and limits', () => {
  const world = useGatewayWorld({ MAX_ROOMS_PER_CONNECTION: '3', RATE_PER_SEC: '1000', RATE_BURST: '1000', MAX_FRAME_BYTES: '20000' });
  let c: TestClient;

  // Closed with the gateway.
  beforeAll(async () => {
    c = await world.gw.connect('alice');
  });

  const errorFor = async (frame: string | object, ref?: string): Promise<Frame> => {
    c.send(frame);
    return c.next((f) => f.type === 'error' && f.ref === ref);
  };

  it.each([
    ['not JSON', '{nope'],
    ['a JSON array', '[1,2]'],
    ['no type', '{"ref":"x"}'],
    ['unknown type', '{"type":"shout","ref":"x"}'],
    ['wrong field type', '{"type":"join","ref":"x","room":5}'],
    ['missing room', '{"type":"send","ref":"x","text":"hi"}'],
    ['wildcard room a.>', '{"type":"join","ref":"x","room":"a.>"}'],
    ['wildcard room *', '{"type":"join","ref":"x","room":"*"}'],
    ['room with a space', '{"type":"history","ref":"x","room":"a b"}'],
    ['room too long', JSON.stringify({ type: 'join', ref: 'x', room: 'r'.repeat(65) })],
    ['history limit 0', '{"type":"history","ref":"x","room":"lobby","limit":0}'],
    ['history limit 101', '{"type":"history","ref":"x","room":"lobby","limit":101}'],
    ['since negative', '{"type":"join","ref":"x","room":"lobby","since":-1}'],
    ['since not an integer', '{"type":"join","ref":"x","room":"lobby","since":1.5}'],
    ['ref too long', JSON.stringify({ type: 'ping', ref: 'r'.repeat(65) })],
  ])('errors - BAD_REQUEST for %s', async (_what, raw) => {
    const ref = raw.startsWith('{"ref"') || raw.includes('"ref":"x"') ? 'x' : undefined;
    const err = await errorFor(raw, ref);
    expect(err).toMatchObject({ type: 'error', code: 'BAD_REQUEST', message: expect.any(String) });
  });

  it('errors - text empty, over the limit in code points, and exactly at the limit', async () => {
    const room = uniqueName('room');
    await c.request({ type: 'join', room });
    expect(await c.request({ type: 'send', room, text: '' })).toMatchObject({ type: 'error', code: 'BAD_REQUEST' });
    // Regression: the gateway passed whitespace-only text on to chat-service, which refused it
    // with another message; the rule is now one function in the contracts, refused here first.
    expect(await c.request({ type: 'send', room, text: ' \n\t ' })).toMatchObject({ type: 'error', code: 'BAD_REQUEST', message: expect.stringContaining('white space') });
    expect(await c.request({ type: 'send', room, text: 'a'.repeat(4001) })).toMatchObject({ type: 'error', code: 'BAD_REQUEST' });
    // 4,000 code points of two UTF-16 units each are allowed; one more is not.
    expect(await c.request({ type: 'send', room, text: '😀'.repeat(4000) }, 5000)).toMatchObject({ type: 'sent' });
    expect(await c.request({ type: 'send', room, text: '€'.repeat(4000) })).toMatchObject({ type: 'sent' });
    expect(await c.request({ type: 'send', room, text: '😀'.repeat(4001) })).toMatchObject({ type: 'error', code: 'BAD_REQUEST' });
  });

  it('errors - NOT_JOINED for send and typing; history and presence need no join', async () => {
    const room = uniqueName('room');
    expect(await c.request({ type: 'send', room, text: 'hi' })).toMatchObject({ type: 'error', code: 'NOT_JOINED' });
    expect(await c.request({ type: 'typing', room })).toMatchObject({ type: 'error', code: 'NOT_JOINED' });
    expect(await c.request({ type: 'history', room })).toMatchObject({ type: 'history', messages: [] });
    expect(await c.request({ type: 'presence', room })).toMatchObject({ type: 'presence' });
  });

  it('errors - a downstream REJECTED becomes BAD_REQUEST', async () => {
    expect(await c.request({ type: 'history', room: 'rejectme' })).toMatchObject({ type: 'error', code: 'BAD_REQUEST' });
  });

  it('errors - more than the room limit is BAD_REQUEST on that join; rejoining a joined room is fine', async () => {
    const { gw } = world;
    const d = await gw.connect('dora');
    const rooms = [uniqueName('r'), uniqueName('r'), uniqueName('r')];
    for (const room of rooms) expect(await d.request({ type: 'join', room })).toMatchObject({ type: 'joined' });
    expect(await d.request({ type: 'join', room: rooms[0] })).toMatchObject({ type: 'joined' });
    expect(await d.request({ type: 'join', room: uniqueName('r') })).toMatchObject({ type: 'error', code: 'BAD_REQUEST' });
    await d.request({ type: 'leave', room: rooms[1] });
    expect(await d.request({ type: 'join', room: uniqueName('r') })).toMatchObject({ type: 'joined' });
  });

  it('errors - a frame over the size limit closes with 1009', async () => {
    const { gw } = world;
    const d = await gw.connect('erin');
    d.send(JSON.stringify({ type: 'send', room: 'lobby', text: 'x'.repeat(20001) }));
    expect((await d.closed).code).toBe(1009);
  });

  it('errors - a binary frame closes with 1003', async () => {
    const { gw } = world;
    const d = await gw.connect('fred');
    d.ws.send(Buffer.from('{"type":"ping"}'), { binary: true });
    expect((await d.closed).code).toBe(1003);
  });

  it('errors - metrics count errors by code and frames by type', async () => {
    const { gw } = world;
    const text = await (await fetch(`${gw.http}/metrics`)).text();
    expect(text).toMatch(/relay_gateway_errors_total\{code="BAD_REQUEST"[^}]*\} \d+/);
    expect(text).toMatch(/relay_gateway_frames_in_total\{type="invalid"[^}]*\} \d+/);
    expect(text).toMatch(/relay_gateway_frames_out_total\{type="joined"[^}]*\} \d+/);
    expect(text).toContain('relay_breaker_state{breaker="chat-service"');
  });
});

describe('gateway rate limit', () => {
  const world = useGatewayWorld({ RATE_PER_SEC: '1', RATE_BURST: '5' }, { fakeServices: false });

  it('rate limit - frames past the burst get RATE_LIMITED with their ref and the connection stays open', async () => {
    const { gw } = world;
    const c = await gw.connect('alice');
    for (let i = 0; i < 8; i++) c.send({ type: 'ping', ref: `p${i}` });
    // Invalid frames count too.
    c.send('not json');
    const replies = await c.collect((f) => f.type === 'pong' || f.type === 'error', 9);
    expect(replies.filter((f) => f.type === 'pong')).toHaveLength(5);
    const limited = replies.filter((f) => f.type === 'error');
    expect(limited.map((f) => f.code)).toEqual(['RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED']);
    expect(limited.slice(0, 3).map((f) => f.ref)).toEqual(['p5', 'p6', 'p7']);
    // A token comes back after a second (refused frames take none); the socket is still usable.
    let attempt = 0;
    const pong = await waitFor(
      async () => {
        const reply = await c.request({ type: 'ping', ref: `late${++attempt}` });
        return reply.type === 'pong' ? reply : undefined;
      },
      { what: 'a ping answered once a token is back', timeoutMs: 5000, intervalMs: 100 },
    );
    expect(pong).toEqual({ type: 'pong', ref: `late${attempt}` });
    expect(c.ws.readyState).toBe(c.ws.OPEN);
  });
});
