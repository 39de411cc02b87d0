import { RoomMessage, UserNotification } from './catalog';
import { ContractError } from './errors';
import { decodeSubjectToken, encodeSubjectToken } from './names';
import { paramsFrom, subjectFor, wildcardFor } from './subjects';

describe('subjects', () => {
  it('subjects - fills a template with safe tokens', () => {
    expect(subjectFor(RoomMessage.subject, { room: 'lobby' })).toBe('chat.v1.room.lobby.message');
    expect(subjectFor(UserNotification.subject, { user: 'bob-1' })).toBe('user.v1.bob-1.notification');
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

describe('user ids in subjects', () => {
  it.each([
    ['alice', 'alice'],
    ['bob_1-x', 'bob_5F1-x'],
    ['auth0|5f3a9c', 'auth0_7C5f3a9c'],
    ['alice@example.com', 'alice_40example_2Ecom'],
    ['a+b.c', 'a_2Bb_2Ec'],
  ])('user ids - %j is encoded into one safe token and read back', (user, token) => {
    const subject = subjectFor(UserNotification.subject, { user });
    expect(subject).toBe(`user.v1.${token}.notification`);
    expect(subject.split('.')).toHaveLength(4);
    expect(paramsFrom(UserNotification.subject, subject)).toEqual({ user });
  });

  it.each(['a b', '*', '>', 'a.>', '', 'x'.repeat(129), 'a{b}', 'a:b', 'ünï', 'tab\t'])('user ids - refuses an id outside the alphabet %j', (user) => {
    expect(() => subjectFor(UserNotification.subject, { user })).toThrow(ContractError);
  });

  it('user ids - the encoding is injective and never yields a separator or wildcard', () => {
    const ids = ['a_b', 'a_5Fb', 'a.b', 'a_2Eb', 'a|b', 'a@b', 'a+b', 'a-b', 'A.B', 'a..b', '_', '__', "a'b", 'a~b', 'ü', '😀', 'a b', 'a>*'];
    const tokens = ids.map(encodeSubjectToken);
    expect(new Set(tokens).size).toBe(ids.length);
    for (const t of tokens) expect(t).toMatch(/^[A-Za-z0-9_-]+$/);
    for (const [i, t] of tokens.entries()) expect(decodeSubjectToken(t)).toBe(ids[i]);
  });

  it('user ids - a token we could not have produced does not decode', () => {
    for (const bad of ['a_2', 'a_zz', 'a_2e', 'a.b', 'a_FF']) expect(decodeSubjectToken(bad)).toBeUndefined();
    expect(paramsFrom(UserNotification.subject, 'user.v1.a_2e.notification')).toBeUndefined();
  });
});
