import { parseMentions } from './mentions';

const users = (text: string) => parseMentions(text);

describe('mention parser', () => {
  it.each([
    ['@bob', ['bob']],
    ['hi @bob', ['bob']],
    ['hi @bob!', ['bob']],
    ['(@bob)', ['bob']],
    ['@bob,@carol', ['bob', 'carol']],
    ['@bob @carol @bob', ['bob', 'carol']],
    ['@@bob', ['bob']],
    ['@bob.', ['bob']],
    ["@bob's turn", ['bob']],
    ['line one\n@bob', ['bob']],
    ['\t@bob', ['bob']],
    ['é@bob', ['bob']],
    ['😀@bob', ['bob']],
    ['@bobé', ['bob']],
    ['@bob😀', ['bob']],
    ['@Bob and @bob', ['Bob', 'bob']],
    ['@a_b-c9', ['a_b-c9']],
    ['@x', ['x']],
    ['"@bob"', ['bob']],
    ['#@bob', ['bob']],
    ['@bob/@carol', ['bob', 'carol']],
  ])('mention parser - %j mentions %j', (text, expected) => {
    expect(users(text)).toEqual(expected);
  });

  it.each([
    ['a@bob'],
    ['mail me at bob@example.com'],
    ['_@bob'],
    ['-@bob'],
    ['9@bob'],
    ['@'],
    ['@ bob'],
    ['@.bob'],
    ['@!'],
    ['no mentions here'],
    [''],
    ['＠bob'],
  ])('mention parser - %j mentions nobody', (text) => {
    expect(users(text)).toEqual([]);
  });

  it('mention parser - an id of exactly 64 characters is a mention, 65 is nobody', () => {
    const id64 = 'a'.repeat(64);
    expect(users(`hi @${id64}`)).toEqual([id64]);
    expect(users(`hi @${id64}b`)).toEqual([]);
  });

  it('mention parser - a long text with many repeated mentions yields each user once', () => {
    const text = Array.from({ length: 500 }, (_, i) => `@u${i % 7}`).join(' ');
    expect(users(text)).toEqual(['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6']);
  });
});
