import { ChatState, RoomState, TYPING_SHOW_MS } from './chat-state';
import type { ChatMessage } from '@relay/client';

const msg = (seq: number, from = 'alice', room = 'lobby'): ChatMessage => ({ room, id: `id-${room}-${seq}`, seq, from, text: `m${seq}`, ts: 1000 + seq });

describe('chat-state', () => {
  it('chat-state - keeps messages in seq order whatever the arrival order', () => {
    const room = new RoomState('lobby');
    for (const s of [5, 2, 9, 1, 7]) room.add(msg(s));
    expect(room.messages.map((m) => m.seq)).toEqual([1, 2, 5, 7, 9]);
    expect(room.lastSeq).toBe(9);
    expect(room.oldestSeq).toBe(1);
    expect(room.hasOlder).toBe(false);
  });

  it('chat-state - drops a message seen before, by id or by seq', () => {
    const room = new RoomState('lobby');
    expect(room.add(msg(3))).toBe(true);
    expect(room.add(msg(3))).toBe(false);
    expect(room.add({ ...msg(3), id: 'other' })).toBe(false);
    expect(room.add({ ...msg(4), id: msg(3).id })).toBe(false);
    expect(room.messages).toHaveLength(1);
  });

  it('chat-state - reset forgets messages and restarts from the given latest seq', () => {
    const room = new RoomState('lobby');
    room.add(msg(1));
    room.add(msg(2));
    room.reset(40);
    expect(room.messages).toEqual([]);
    expect(room.lastSeq).toBe(40);
    expect(room.hasOlder).toBe(true);
    expect(room.add(msg(2))).toBe(true);
  });

  it('chat-state - a pending send disappears once its message arrived', () => {
    const room = new RoomState('lobby');
    room.pending.push({ room: 'lobby', text: 'hi' });
    expect(room.visiblePending()).toHaveLength(1);
    room.pending[0].id = 'id-lobby-1';
    expect(room.visiblePending()).toHaveLength(1);
    room.add(msg(1));
    expect(room.visiblePending()).toHaveLength(0);
  });

  it('chat-state - typing shows for a while and ends with that user\'s message', () => {
    const state = new ChatState();
    state.room('lobby');
    state.setTyping('lobby', 'bob', 0);
    state.setTyping('lobby', 'carol', 0);
    const room = state.room('lobby');
    expect(room.typingUsers(TYPING_SHOW_MS - 1)).toEqual(['bob', 'carol']);
    expect(room.typingUsers(TYPING_SHOW_MS)).toEqual([]);
    state.addMessage(msg(1, 'bob'));
    expect(room.typingUsers(1)).toEqual(['carol']);
  });

  it('chat-state - notifications are deduplicated by id, newest first', () => {
    const state = new ChatState();
    const n = (id: string) => ({ id, kind: 'mention', from: 'bob', room: 'lobby', text: 'hi @alice', ts: 1 });
    expect(state.addNotification(n('a'))).toBe(true);
    expect(state.addNotification(n('b'))).toBe(true);
    expect(state.addNotification(n('a'))).toBe(false);
    expect(state.notifications.map((x) => x.id)).toEqual(['b', 'a']);
  });

  it('chat-state - unread counts only rooms not in view, and ignores rooms left', () => {
    const state = new ChatState();
    state.room('lobby');
    state.room('dev');
    state.activeRoom = 'lobby';
    state.addMessage(msg(1, 'bob', 'lobby'));
    state.addMessage(msg(1, 'bob', 'dev'));
    expect(state.room('lobby').unread).toBe(0);
    expect(state.room('dev').unread).toBe(1);
    state.removeRoom('dev');
    expect(state.addMessage(msg(2, 'bob', 'dev'))).toBe(false);
    state.removeRoom('lobby');
    expect(state.activeRoom).toBeUndefined();
  });
});

describe('chat-state epochs', () => {
  it('chat-state - a message of a later epoch (the store was reset) starts the room over instead of being dropped by seq', () => {
    const room = new RoomState('lobby');
    for (const s of [1, 2, 3]) expect(room.add({ ...msg(s), epoch: 'E1' })).toBe(true);
    expect(room.add({ ...msg(1), id: 'new-1', epoch: 'E2' })).toBe(true);
    expect(room.messages.map((m) => m.id)).toEqual(['new-1']);
    expect([room.epoch, room.lastSeq]).toEqual(['E2', 1]);
    // A late frame of the earlier epoch is stale.
    expect(room.add({ ...msg(4), epoch: 'E1' })).toBe(false);
  });
});
