import { RoomMessage, UserNotification } from './catalog';
import { ContractError } from './errors';
import { paramsFrom, subjectFor, wildcardFor } from './subjects';

describe('subjects', () => {
  it('subjects - fills a template with safe tokens', () => {
    expect(subjectFor(RoomMessage.subject, { room: 'lobby' })).toBe('chat.v1.room.lobby.message');
    expect(subjectFor(UserNotification.subject, { user: 'bob_1-x' })).toBe('user.v1.bob_1-x.notification');
  });

  it.each(['a.>', '*', '>', 'a b', 'a.b', '', 'x'.repeat(65), 'tab\t', 'ünï'])('subjects - refuses injection %j', (room) => {
    expect(() => subjectFor(RoomMessage.subject, { room })).toThrow(ContractError);
    try {
      subjectFor(RoomMessage.subject, { room });
    } catch (err) {
      expect((err as ContractError).code).toBe('BAD_SUBJECT');
      expect((err as ContractError).retryable).toBe(false);
    }
  });

  it('subjects - refuses a missing or non-string parameter', () => {
    expect(() => subjectFor(RoomMessage.subject, {} as { room: string })).toThrow(/room/);
    expect(() => subjectFor(RoomMessage.subject, { room: 5 as unknown as string })).toThrow(/room/);
  });

  it('subjects - wildcard covers every room and reads params back', () => {
    expect(wildcardFor(RoomMessage.subject)).toBe('chat.v1.room.*.message');
    expect(paramsFrom(RoomMessage.subject, 'chat.v1.room.lobby.message')).toEqual({ room: 'lobby' });
    expect(paramsFrom(RoomMessage.subject, 'chat.v1.room.lobby.typing')).toBeUndefined();
  });
});
