import { faultPlan } from './faults';

describe('chaos fault plan', () => {
  it('chaos fault plan - the full run has every fault kind; the cluster adds node loss', () => {
    const names = faultPlan({ quick: false, natsCluster: 0 }).map((f) => f.name);
    expect(names).toEqual([
      'kill-ws-gateway',
      'kill-chat-service',
      'kill-presence-service',
      'kill-notification-service',
      'hang-chat-service',
      'restart-nats',
      'restart-redis',
      'kill-redis',
    ]);
    expect(faultPlan({ quick: false, natsCluster: 3 }).map((f) => f.name)).toContain('lose-nats-node');
  });

  it('chaos fault plan - --quick keeps three, --only picks by name and refuses unknown ones', () => {
    expect(faultPlan({ quick: true, natsCluster: 0 }).map((f) => f.name)).toEqual(['kill-ws-gateway', 'kill-chat-service', 'restart-redis']);
    expect(faultPlan({ quick: false, natsCluster: 0, only: ['kill-redis'] }).map((f) => f.name)).toEqual(['kill-redis']);
    expect(() => faultPlan({ quick: false, natsCluster: 0, only: ['lose-nats-node'] })).toThrow(/unknown fault/);
  });
});
