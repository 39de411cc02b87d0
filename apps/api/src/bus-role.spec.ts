/**
 * The api connects to NATS as its own role (`api`), whose permissions come from the catalog's
 * ownership fields. This check ties them to what the api really does: it may request exactly
 * the calls in API_CALLS and publish exactly the disconnect event, answers no request and reads
 * no event; the server-side enforcement of each permission, both ways, is proven against a real
 * nats-server in tools/nats-auth/test/permissions.spec.ts.
 */
import { GatewayDisconnectUser, inboxPrefixFor, permissionsFor } from '@relay/contracts';
import { API_CALLS } from './service-calls';

describe('api bus role', () => {
  it('api bus role - may request the calls it makes and publish the disconnect event, nothing more', () => {
    const p = permissionsFor('api');
    const requests = Object.values(API_CALLS).map((c) => c.def.subject);
    expect(p.publish).toEqual([...requests, GatewayDisconnectUser.subject].sort());
    expect(p.subscribe).toEqual([`${inboxPrefixFor('api')}.>`]);
    expect(p.allowResponses).toBe(false);
  });

  it('api bus role - no other role may publish the disconnect event; only gateways receive it', () => {
    expect(GatewayDisconnectUser.publishers).toEqual(['api']);
    expect(GatewayDisconnectUser.subscribers).toEqual(['ws-gateway']);
    expect(permissionsFor('ws-gateway').publish).not.toContain(GatewayDisconnectUser.subject);
  });
});
