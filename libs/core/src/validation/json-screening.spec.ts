import {
  MAX_JSON_DEPTH,
  findJsonFault,
  replaceNulCharacters,
  replaceNulCharactersIn,
} from './json-screening';

/** `levels` arrays inside one another, around `inner`. */
const nested = (levels: number, inner: unknown = 1): unknown => {
  let value = inner;
  for (let level = 0; level < levels; level++) value = [value];
  return value;
};

describe('findJsonFault: nesting', () => {
  const tooDeep = (value: unknown, limit?: number) => findJsonFault(value, limit) === 'too-deep';

  it('counts the outermost object or array as level 1', () => {
    expect(tooDeep({ a: 1 }, 1)).toBe(false);
    expect(tooDeep({ a: { b: 1 } }, 1)).toBe(true);
    expect(tooDeep(nested(3), 3)).toBe(false);
    expect(tooDeep(nested(4), 3)).toBe(true);
  });

  it('finds the one deep branch among shallow ones, in objects and arrays alike', () => {
    const body = { messages: [{ to: '+14155550123' }, { meta: { deep: nested(40) } }] };
    expect(tooDeep(body)).toBe(true);
    expect(tooDeep({ messages: [{ to: '+14155550123' }, { body: 'x' }] })).toBe(false);
  });

  it('takes scalars, null and a batch of a thousand flat messages', () => {
    for (const value of [null, undefined, 0, 'text', true]) expect(tooDeep(value)).toBe(false);
    const batch = {
      messages: Array.from({ length: 1000 }, (_, i) => ({ to: `+1415555${1000 + i}`, body: 'x' })),
    };
    expect(findJsonFault(batch)).toBeUndefined();
  });

  it('judges a value far too deep for recursive code without running out of stack', () => {
    const hostile = JSON.parse('['.repeat(200_000) + ']'.repeat(200_000)) as unknown;
    expect(tooDeep(hostile)).toBe(true);
    expect(tooDeep(nested(MAX_JSON_DEPTH))).toBe(false);
    expect(tooDeep(nested(MAX_JSON_DEPTH + 1))).toBe(true);
  });

  it('names too deep before a NUL, wherever each is', () => {
    expect(findJsonFault(['\u0000', nested(MAX_JSON_DEPTH + 1)])).toBe('too-deep');
    expect(findJsonFault([nested(MAX_JSON_DEPTH + 1), '\u0000'])).toBe('too-deep');
  });
});

describe('NUL characters', () => {
  const hasNul = (value: unknown) => findJsonFault(value) === 'nul-character';

  it('replaces each NUL with U+FFFD and leaves other text as it is', () => {
    expect(replaceNulCharacters('a\u0000b\u0000')).toBe('a\uFFFDb\uFFFD');
    expect(replaceNulCharacters('plain text, emoji 😀')).toBe('plain text, emoji 😀');
  });

  it('finds a NUL in any string of a value, keys included, and nowhere else', () => {
    expect(hasNul({ messages: [{ to: '+1', body: 'x\u0000' }] })).toBe(true);
    expect(hasNul({ ['k\u0000']: 1 })).toBe(true);
    expect(hasNul(['ok', ['still ok', 'n\u0000']])).toBe(true);
    expect(hasNul('\u0000')).toBe(true);
    expect(hasNul({ body: 'no nul', n: 0, flag: false, nothing: null })).toBe(false);
    expect(hasNul('\\u0000 written out is not one')).toBe(false);
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
