import {
  containsNulCharacter,
  replaceNulCharacters,
  replaceNulCharactersIn,
} from './nul-characters';

describe('NUL characters', () => {
  it('replaces each NUL with U+FFFD and leaves other text as it is', () => {
    expect(replaceNulCharacters('a\u0000b\u0000')).toBe('a\uFFFDb\uFFFD');
    expect(replaceNulCharacters('plain text, emoji 😀')).toBe('plain text, emoji 😀');
  });

  it('finds a NUL in any string of a value, keys included, and nowhere else', () => {
    expect(containsNulCharacter({ messages: [{ to: '+1', body: 'x\u0000' }] })).toBe(true);
    expect(containsNulCharacter({ ['k\u0000']: 1 })).toBe(true);
    expect(containsNulCharacter(['ok', ['still ok', 'n\u0000']])).toBe(true);
    expect(containsNulCharacter({ body: 'no nul', n: 0, flag: false, nothing: null })).toBe(false);
    expect(containsNulCharacter('\\u0000 written out is not one')).toBe(false);
  });

  it('replaces the NULs of every string of a parsed value in place', () => {
    const frame = { type: 'inbound', sms: { body: 'a\u0000b', parts: ['\u0000', 'ok'] }, n: 1 };
    replaceNulCharactersIn(frame);
    expect(frame).toEqual({
      type: 'inbound',
      sms: { body: 'a\uFFFDb', parts: ['\uFFFD', 'ok'] },
      n: 1,
    });
  });
});
