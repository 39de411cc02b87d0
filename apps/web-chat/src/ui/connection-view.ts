import type { ConnectionStatus } from '../protocol-client';
import { byTestId } from './dom';

const LABELS: Record<ConnectionStatus['state'], string> = {
  connecting: 'connecting…',
  online: 'online',
  reconnecting: 'reconnecting…',
  offline: 'offline',
};

/** The connection badge: state as text and as `data-state` for styling and tests. */
export function renderConnection(status: ConnectionStatus): void {
  const badge = byTestId('connection-state');
  badge.dataset.state = status.state;
  let text = LABELS[status.state];
  if (status.state === 'reconnecting' && status.attempt > 0) text += ` (attempt ${status.attempt})`;
  badge.textContent = text;
  byTestId('gateway').textContent = status.state === 'online' && status.gateway ? `via ${status.gateway}` : '';
}
