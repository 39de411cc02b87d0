import type { Notification } from '../chat-state';
import { byTestId, el, formatTime } from './dom';

const TOAST_MS = 5000;

function describe(n: Notification): string {
  const where = n.room ? ` in #${n.room}` : '';
  return n.kind === 'mention' && n.from ? `${n.from} mentioned you${where}` : `${n.kind}${n.from ? ` from ${n.from}` : ''}${where}`;
}

export function renderNotifications(items: readonly Notification[]): void {
  byTestId('notifications').replaceChildren(
    ...items.map((n) =>
      el(
        'li',
        { 'data-testid': 'notification', 'data-id': n.id, 'data-kind': n.kind },
        el('div', { class: 'note-head' }, describe(n), el('time', {}, formatTime(n.ts))),
        el('div', { class: 'note-text' }, n.text),
      ),
    ),
  );
}

/** A short-lived toast; `kind` error toasts are styled red. */
export function toast(text: string, kind: 'info' | 'error' = 'info'): void {
  const node = el('div', { class: `toast ${kind}`, 'data-testid': kind === 'error' ? 'toast-error' : 'toast' }, text);
  byTestId('toasts').append(node);
  setTimeout(() => node.remove(), TOAST_MS);
}

export function toastNotification(n: Notification): void {
  toast(`${describe(n)}: ${n.text}`);
}
