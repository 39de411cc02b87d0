import { TEXT_MAX_CODE_POINTS } from './schemas/chat';
import { checkMessageText, isBlank } from './text-rules';

describe('text rules', () => {
  it('text rules - empty and whitespace-only text are refused the same way', () => {
    for (const text of ['', ' ', '\n\t ', '\u00a0']) {
      expect(isBlank(text)).toBe(true);
      expect(checkMessageText(text)).toEqual({ ok: false, problem: 'empty' });
    }
    expect(checkMessageText(' a ')).toEqual({ ok: true });
  });

  it('text rules - the limit counts code points: 4000 astral characters fit, 4001 do not', () => {
    expect(TEXT_MAX_CODE_POINTS).toBe(4000);
    expect(checkMessageText('😀'.repeat(4000))).toEqual({ ok: true });
    expect(checkMessageText('😀'.repeat(4001))).toEqual({ ok: false, problem: 'too-long', length: 4001, max: 4000 });
    expect(checkMessageText('abc', 2)).toEqual({ ok: false, problem: 'too-long', length: 3, max: 2 });
  });
});
