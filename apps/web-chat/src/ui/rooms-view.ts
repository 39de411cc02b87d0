import type { ChatState } from '../chat-state';
import { byTestId, el } from './dom';

export interface RoomsActions {
  select(room: string): void;
  leave(room: string): void;
}

/** The joined rooms in the sidebar, with unread counts and a leave button each. */
export function renderRooms(state: ChatState, actions: RoomsActions): void {
  const list = byTestId('room-list');
  const items = [...state.rooms.values()].map((room) => {
    const name = el('button', { class: 'room-name', 'data-testid': 'room-select', type: 'button' }, `# ${room.name}`);
    name.addEventListener('click', () => actions.select(room.name));
    const leave = el('button', { class: 'room-leave', 'data-testid': 'room-leave', type: 'button', title: `leave ${room.name}` }, '×');
    leave.addEventListener('click', () => actions.leave(room.name));
    const unread = room.unread > 0 ? el('span', { class: 'unread', 'data-testid': 'room-unread' }, String(room.unread)) : '';
    return el(
      'li',
      { 'data-testid': 'room-item', 'data-room': room.name, class: room.name === state.activeRoom ? 'room active' : 'room' },
      name,
      unread,
      leave,
    );
  });
  list.replaceChildren(...items);
}
