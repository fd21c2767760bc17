import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth';

/** `levels` arrays inside one another, around `inner`. */
const nested = (levels: number, inner: unknown = 1): unknown => {
  let value = inner;
  for (let level = 0; level < levels; level++) value = [value];
  return value;
};

describe('nestsDeeperThan', () => {
  it('counts the outermost object or array as level 1', () => {
    expect(nestsDeeperThan({ a: 1 }, 1)).toBe(false);
    expect(nestsDeeperThan({ a: { b: 1 } }, 1)).toBe(true);
    expect(nestsDeeperThan(nested(3), 3)).toBe(false);
    expect(nestsDeeperThan(nested(4), 3)).toBe(true);
  });

  it('finds the one deep branch among shallow ones, in objects and arrays alike', () => {
    const body = { messages: [{ to: '+14155550123' }, { meta: { deep: nested(40) } }] };
    expect(nestsDeeperThan(body)).toBe(true);
    expect(nestsDeeperThan({ messages: [{ to: '+14155550123' }, { body: 'x' }] })).toBe(false);
  });

  it('takes scalars, null and a batch of a thousand flat messages', () => {
    for (const value of [null, undefined, 0, 'text', true])
      expect(nestsDeeperThan(value)).toBe(false);
    const batch = {
      messages: Array.from({ length: 1000 }, (_, i) => ({ to: `+1415555${1000 + i}`, body: 'x' })),
    };
    expect(nestsDeeperThan(batch)).toBe(false);
  });

  it('judges a value far too deep for recursive code without running out of stack', () => {
    const hostile = JSON.parse('['.repeat(200_000) + ']'.repeat(200_000)) as unknown;
    expect(nestsDeeperThan(hostile)).toBe(true);
    expect(nestsDeeperThan(nested(MAX_JSON_DEPTH))).toBe(false);
    expect(nestsDeeperThan(nested(MAX_JSON_DEPTH + 1))).toBe(true);
  });
});
