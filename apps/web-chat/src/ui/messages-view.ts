import type { RoomState } from '../chat-state';
import type { ChatMessage } from '@relay/client';
import { byTestId, el, formatTime } from './dom';

/** Keeps the reader's place: sticks to the bottom for new messages, holds still when older ones are prepended. */
export class MessagesView {
  private renderedRoom?: string;
  private renderedOldest?: number;

  constructor(
    private readonly me: () => string,
    onScrollTop: () => void,
  ) {
    const list = byTestId('message-list');
    list.addEventListener('scroll', () => {
      if (list.scrollTop < 40) onScrollTop();
    });
  }

  render(room: RoomState | undefined, loadingOlder: boolean): void {
    const list = byTestId('message-list');
    byTestId('active-room').textContent = room ? `# ${room.name}` : 'no room: join one';
    const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 30;
    const prevHeight = list.scrollHeight;
    const sameRoom = room?.name === this.renderedRoom;

    const rows: HTMLElement[] = room ? room.messages.map((m) => this.messageRow(m)) : [];
    for (const p of room?.visiblePending() ?? []) {
      rows.push(
        el(
          'li',
          { 'data-testid': p.failed ? 'message-failed' : 'message-pending', class: `message ${p.failed ? 'failed' : 'pending'}` },
          el('span', { class: 'from' }, this.me()),
          el('span', { class: 'text' }, p.text),
          el('span', { class: 'meta' }, p.failed ? `not sent: ${p.failed}` : 'sending…'),
        ),
      );
    }
    if (room && room.messages.length === 0 && rows.length === 0) rows.push(el('li', { class: 'empty' }, 'No messages yet. Say hi!'));
    list.replaceChildren(...rows);

    const older = byTestId<HTMLButtonElement>('load-older');
    older.hidden = !room || !room.hasOlder || room.messages.length === 0;
    older.disabled = loadingOlder;
    older.textContent = loadingOlder ? 'loading…' : 'load older messages';

    const oldest = room?.oldestSeq;
    if (!sameRoom) list.scrollTop = list.scrollHeight;
    else if (oldest !== undefined && this.renderedOldest !== undefined && oldest < this.renderedOldest && !atBottom) {
      list.scrollTop += list.scrollHeight - prevHeight; // older page prepended: keep the same message in view
    } else if (atBottom) list.scrollTop = list.scrollHeight;
    this.renderedRoom = room?.name;
    this.renderedOldest = oldest;
  }

  renderTyping(room: RoomState | undefined, now: number): void {
    const users = room ? room.typingUsers(now).filter((u) => u !== this.me()) : [];
    const text = users.length === 0 ? '' : users.length === 1 ? `${users[0]} is typing…` : `${users.join(', ')} are typing…`;
    const node = byTestId('typing-indicator');
    if (node.textContent !== text) node.textContent = text;
  }

  private messageRow(m: ChatMessage): HTMLElement {
    return el(
      'li',
      { 'data-testid': 'message', 'data-seq': String(m.seq), 'data-id': m.id, class: m.from === this.me() ? 'message mine' : 'message' },
      el('span', { class: 'from', 'data-testid': 'message-from' }, m.from),
      el('span', { class: 'text', 'data-testid': 'message-text' }, m.text),
      el('time', { class: 'meta', title: `#${m.seq}` }, formatTime(m.ts)),
    );
  }
}
