import { ConfigError } from '@relay/service-kit';
import { signToken, uniqueName } from '@relay/testing';
import { SECRET, useGatewayWorld } from './harness';
import { readConfig } from '../src/config';

const ADMIN = 'ops-admin';

async function snapshot(http: string, token?: string) {
  const res = await fetch(`${http}/ops/api/snapshot`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('ops routes', () => {
  describe('with OPS_ADMINS set and Prometheus unreachable', () => {
    // Port 1: nobody listens there. The snapshot must still answer, with what it knows locally.
    const world = useGatewayWorld({ OPS_ADMINS: `${ADMIN}, other-admin`, PROMETHEUS_URL: 'http://127.0.0.1:1' });

    it('ops - the page is served, its data only to an OPS_ADMINS user with a valid token', async () => {
      const page = await fetch(`${world.gw.http}/ops`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(await page.text()).toContain('/ops/api/snapshot');

      expect(await snapshot(world.gw.http)).toMatchObject({ status: 401, body: { error: 'UNAUTHORIZED' } });
      expect(await snapshot(world.gw.http, 'not-a-jwt')).toMatchObject({ status: 401, body: { error: 'UNAUTHORIZED' } });
      expect(await snapshot(world.gw.http, signToken(ADMIN, 'another-secret'))).toMatchObject({ status: 401 });
      expect(await snapshot(world.gw.http, signToken('alice', SECRET))).toMatchObject({ status: 403, body: { error: 'FORBIDDEN', message: expect.stringContaining('alice') } });
      // A token in the URL does not count (it would end up in access logs).
      const inUrl = await fetch(`${world.gw.http}/ops/api/snapshot?token=${signToken(ADMIN, SECRET)}`);
      expect(inUrl.status).toBe(401);
    });

    it('ops - the snapshot has this gateway busiest rooms, and says why cluster figures are missing', async () => {
      const big = uniqueName('big');
      const small = uniqueName('small');
      const clients = await Promise.all(['a', 'b', 'c'].map((u) => world.gw.connect(uniqueName(u))));
      for (const c of clients) expect(await c.request({ type: 'join', room: big })).toMatchObject({ type: 'joined' });
      expect(await clients[0].request({ type: 'join', room: small })).toMatchObject({ type: 'joined' });

      const { status, body } = await snapshot(world.gw.http, signToken(ADMIN, SECRET));
      expect(status).toBe(200);
      expect(body).toMatchObject({
        gateway: world.gw.config.instanceId,
        local: { connections: 3, rooms: 2, topRooms: [{ room: big, members: 3 }, { room: small, members: 1 }] },
        cluster: { ok: false, error: expect.stringContaining('Prometheus at http://127.0.0.1:1') },
      });
    });
  });

  describe('without OPS_ADMINS', () => {
    const world = useGatewayWorld();

    it('ops - no admins configured: the page and its data do not exist', async () => {
      expect((await fetch(`${world.gw.http}/ops`)).status).toBe(404);
      expect((await snapshot(world.gw.http, signToken(ADMIN, SECRET))).status).toBe(404);
    });
  });

  it('ops - config refuses an OPS_ADMINS entry that is not a user id, and a PROMETHEUS_URL that is not http', () => {
    expect(() => readConfig({ OPS_ADMINS: 'ok-user,bad user' })).toThrow(ConfigError);
    expect(() => readConfig({ OPS_ADMINS: 'a.*' })).toThrow(/OPS_ADMINS: "a\.\*"/);
    expect(() => readConfig({ PROMETHEUS_URL: 'nats://127.0.0.1:4222' })).toThrow(/PROMETHEUS_URL/);
    expect(() => readConfig({ PROMETHEUS_URL: 'not a url' })).toThrow(/PROMETHEUS_URL/);
    expect(readConfig({ OPS_ADMINS: ' alice , bob ', PROMETHEUS_URL: 'http://prom:9090/' })).toMatchObject({
      opsAdmins: ['alice', 'bob'],
      prometheusUrl: 'http://prom:9090',
    });
  });
});
