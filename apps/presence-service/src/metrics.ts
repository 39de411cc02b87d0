// presence-service's metrics factory (CONTRIBUTING.md: every service has one, create<Service>Metrics in metrics.ts).
import type { ServiceMetrics } from '@relay/service-kit';
import type { PresenceStats } from './presence-store';

export type PresenceMetrics = ReturnType<typeof createPresenceMetrics>;

/** The service's own relay_presence_* metrics, on the instance's registry; request counts and durations come from the service kit. */
export function createPresenceMetrics(m: ServiceMetrics) {
  const sessions = m.gauge('relay_presence_sessions', 'Live sessions across all gateways (shared state, read each sweep)');
  const onlineUsers = m.gauge('relay_presence_online_users', 'Users with at least one live session (shared state, read each sweep)');
  const gateways = m.gauge('relay_presence_gateways', 'Gateways holding a lease (shared state, read each sweep)');
  return {
    transitions: m.counter('relay_presence_transitions_total', 'Transitions emitted by this instance, by event', ['event']),
    republished: m.counter('relay_presence_outbox_republished_total', 'Events republished from the outbox after their first publish was not confirmed'),
    sweeps: m.counter('relay_presence_sweeps_total', 'Sweeps run by this instance, by result (idle, expired, graced)', ['result']),
    gatewaysExpired: m.counter('relay_presence_gateways_expired_total', 'Gateways this instance expired because their lease ran out'),
    resyncs: m.counter('relay_presence_resyncs_total', 'Heartbeats answered with resync=true, by cause', ['cause']),
    snapshots: m.counter('relay_presence_snapshots_total', 'Gateway snapshots applied'),
    snapshotParts: m.counter('relay_presence_snapshot_parts_total', 'Parts of chunked snapshots received, by result (staged, completed)', ['result']),
    staleIncarnation: m.counter('relay_presence_stale_incarnation_total', 'Messages ignored because they came from a retired gateway incarnation', ['op']),
    setState(s: PresenceStats): void {
      sessions.set(s.sessions);
      onlineUsers.set(s.online);
      gateways.set(s.gateways);
    },
  };
}
