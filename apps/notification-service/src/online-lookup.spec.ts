import { createMetrics } from '@relay/service-kit';
import { createNotificationMetrics } from './metrics';
import { OnlineCache } from './online-cache';
import { createOnlineLookup } from './online-lookup';
import type { PresenceClient } from './presence-client';

/** A presence-service stand-in that records who it was asked about. */
function fakePresence(online: Set<string> | undefined) {
  const asked: string[][] = [];
  const client: PresenceClient = {
    async onlineAmong(users) {
      asked.push(users);
      return online && new Set(users.filter((u) => online.has(u)));
    },
  };
  return { client, asked };
}

async function lookups(metrics: ReturnType<typeof createNotificationMetrics>) {
  const values = (await metrics.onlineLookups.get()).values;
  return Object.fromEntries(values.map((v) => [v.labels.source, v.value]));
}

describe('online lookup', () => {
  const setup = (online: Set<string> | undefined) => {
    const metrics = createNotificationMetrics(createMetrics('notification-test', 'lookup'));
    const cache = new OnlineCache({ maxUsers: 100, ttlMs: 60_000 });
    const presence = fakePresence(online);
    return { metrics, cache, presence, lookup: createOnlineLookup(cache, presence.client, metrics) };
  };

  it('online lookup - cached users are answered from the cache; only the rest are asked, and their answer is cached', async () => {
    const { metrics, cache, presence, lookup } = setup(new Set(['b']));
    cache.applyEvent('a', true, Date.now());
    cache.applyEvent('z', false, Date.now());
    expect(await lookup.onlineAmong(['a', 'b', 'c', 'z'])).toEqual(new Set(['a', 'b']));
    expect(presence.asked).toEqual([['b', 'c']]);
    expect(await lookup.onlineAmong(['b', 'c'])).toEqual(new Set(['b']));
    expect(presence.asked).toHaveLength(1);
    expect(await lookups(metrics)).toEqual({ cache: 4, presence: 2 });
  });

  it('online lookup - presence unknown: those users are not online and nothing is cached for them', async () => {
    const { metrics, cache, presence, lookup } = setup(undefined);
    cache.applyEvent('a', true, Date.now());
    expect(await lookup.onlineAmong(['a', 'b'])).toEqual(new Set(['a']));
    expect(await lookup.onlineAmong(['b'])).toEqual(new Set());
    expect(presence.asked).toEqual([['b'], ['b']]);
    expect(cache.get('b')).toBeUndefined();
    expect(await lookups(metrics)).toEqual({ cache: 1, unknown: 2 });
  });
});
