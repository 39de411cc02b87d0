import { ClientFrames, JoinFrame, SendFrame, TokenClaims } from './client-protocol';
import { codePointLength } from './names';
import { HistoryRequest, JoinRoomRequest, SendMessageRequest } from './schemas/chat';
import { SendNotificationRequest } from './schemas/notification';
import { SessionUpdate } from './schemas/presence';
import { validate } from './validate';
import { EnvelopeHeader, versionedType } from './envelope';
import { newId } from './ids';

describe('schemas', () => {
  it('schemas - accepts the frames PROTOCOL.md shows', () => {
    expect(validate(JoinFrame, { type: 'join', ref: '1', room: 'lobby' }).ok).toBe(true);
    expect(validate(JoinFrame, { type: 'join', ref: '1', room: 'lobby', since: 41 }).ok).toBe(true);
    expect(validate(SendFrame, { type: 'send', ref: '3', room: 'lobby', text: 'hi @bob', clientMsgId: 'c1' }).ok).toBe(true);
    expect(validate(ClientFrames.history, { type: 'history', ref: '4', room: 'lobby', before: 58, limit: 50 }).ok).toBe(true);
    expect(validate(ClientFrames.ping, { type: 'ping', ref: '6' }).ok).toBe(true);
  });

  it.each([
    ['negative since', { type: 'join', room: 'lobby', since: -1 }],
    ['fractional since', { type: 'join', room: 'lobby', since: 1.5 }],
    ['wildcard room', { type: 'join', room: 'a.>' }],
    ['star room', { type: 'join', room: '*' }],
    ['space in room', { type: 'join', room: 'a b' }],
    ['ref too long', { type: 'join', room: 'ok', ref: 'x'.repeat(65) }],
  ])('schemas - refuses a join with %s', (_why, frame) => {
    const r = validate(JoinFrame, frame);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/^\//);
  });

  it('schemas - history limit is bounded 1..100', () => {
    expect(validate(HistoryRequest, { room: 'r', limit: 0 }).ok).toBe(false);
    expect(validate(HistoryRequest, { room: 'r', limit: 101 }).ok).toBe(false);
    expect(validate(HistoryRequest, { room: 'r', limit: 100 }).ok).toBe(true);
  });

  it('schemas - text length counts code points: 4000 euro signs and emoji pairs', () => {
    expect(codePointLength('€'.repeat(4000))).toBe(4000);
    expect(codePointLength('😀'.repeat(10))).toBe(10);
    expect('😀'.repeat(10).length).toBe(20);
    expect(validate(SendMessageRequest, { room: 'r', user: 'u', text: '😀'.repeat(4000) }).ok).toBe(true);
    expect(validate(SendMessageRequest, { room: 'r', user: 'u', text: '' }).ok).toBe(false);
  });

  it('schemas - user ids outside the documented alphabet are refused everywhere', () => {
    for (const bad of ['*', '>', 'a b', '', 'a{b}', 'a:b', 'tab\t', 'u'.repeat(129)]) {
      expect(validate(TokenClaims, { sub: bad, exp: 2e9 }).ok).toBe(false);
      expect(validate(SessionUpdate, { gateway: 'g', incarnation: 'i', v: 1, session: 's', user: bad, op: 'open', at: 0 }).ok).toBe(false);
      expect(validate(SendNotificationRequest, { user: bad, kind: 'mention', text: 'x' }).ok).toBe(false);
    }
  });

  it('schemas - identity-provider user ids are accepted; a token needs exp; room grants are checked', () => {
    for (const good of ['auth0|5f3a9c', 'alice@example.com', 'a.b+tag@example.org', 'google-oauth2|1234', 'bob_1']) {
      expect(validate(TokenClaims, { sub: good, exp: 2e9 }).ok).toBe(true);
      expect(validate(SendNotificationRequest, { user: good, kind: 'mention', text: 'x' }).ok).toBe(true);
    }
    expect(validate(TokenClaims, { sub: 'alice' }).ok).toBe(false);
    expect(validate(TokenClaims, { sub: 'alice', exp: 2e9, rooms: { 'team-*': 'write', lobby: 'read' } }).ok).toBe(true);
    expect(validate(TokenClaims, { sub: 'alice', exp: 2e9, rooms: { 'team-*': 'admin' } }).ok).toBe(false);
    expect(validate(TokenClaims, { sub: 'alice', exp: 2e9, rooms: { 'a.>': 'read' } }).ok).toBe(false);
  });

  it('schemas - the recovery cap and since are integers', () => {
    expect(validate(JoinRoomRequest, { room: 'r', since: 3, cap: 1000 }).ok).toBe(true);
    expect(validate(JoinRoomRequest, { room: 'r', since: 3.2, cap: 1000 }).ok).toBe(false);
  });

  it('schemas - envelopes carry id, versioned type, source and time', () => {
    const env = { id: newId(), type: versionedType('chat.message', 3), source: 'chat-service/1', time: Date.now() };
    expect(env.type).toBe('chat.message.v3');
    expect(validate(EnvelopeHeader, { id: env.id, type: env.type, source: env.source, time: env.time }).ok).toBe(true);
    expect(validate(EnvelopeHeader, { id: env.id, type: 'chat.message', source: 's', time: 1 }).ok).toBe(false);
  });
});

describe('ids', () => {
  it('ids - are unique ULIDs sortable by time across pool refills', () => {
    const ids = Array.from({ length: 2000 }, () => newId());
    expect(new Set(ids).size).toBe(2000);
    for (const id of ids) expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    // Strictly increasing within a process, even within one millisecond.
    for (let i = 1; i < ids.length; i++) expect(ids[i] > ids[i - 1]).toBe(true);
  });
});
