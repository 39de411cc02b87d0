import type { RoomState } from '../chat-state';
import { byTestId, el } from './dom';

/** Who is in the active room, on any gateway. */
export function renderPresence(room: RoomState | undefined, me: string): void {
  const list = byTestId('presence-list');
  const users = room ? [...room.members].sort() : [];
  list.replaceChildren(
    ...users.map((u) => el('li', { 'data-testid': 'presence-user', 'data-user': u, class: u === me ? 'me' : undefined }, el('span', { class: 'dot' }), el('span', { class: 'name', title: u }, u))),
  );
  byTestId('presence-count').textContent = room ? String(users.length) : '';
}
