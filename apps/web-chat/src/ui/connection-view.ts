import type { ConnectionStatus } from '@relay/client';
import { byTestId } from './dom';

/** The badge's states (`data-state`, styled and read by tests), from the client's connection states. */
const BADGE: Record<ConnectionStatus['state'], { state: string; label: string }> = {
  idle: { state: 'offline', label: 'offline' },
  connecting: { state: 'connecting', label: 'connecting…' },
  open: { state: 'online', label: 'online' },
  reconnecting: { state: 'reconnecting', label: 'reconnecting…' },
  closed: { state: 'offline', label: 'offline' },
};

/** The connection badge: state as text and as `data-state` for styling and tests. */
export function renderConnection(status: ConnectionStatus): void {
  const badge = byTestId('connection-state');
  const { state, label } = BADGE[status.state];
  badge.dataset.state = state;
  badge.textContent = status.state === 'reconnecting' && status.attempt > 0 ? `${label} (attempt ${status.attempt})` : label;
  byTestId('gateway').textContent = status.state === 'open' && status.gateway ? `via ${status.gateway}` : '';
}
