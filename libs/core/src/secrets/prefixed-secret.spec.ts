import { PrefixedSecret } from './prefixed-secret';

describe('PrefixedSecret', () => {
  const kind = new PrefixedSecret('ab_', 8);

  it('generates distinct secrets of its kind, stored by hash', () => {
    const first = kind.generate();
    const second = kind.generate();
    expect(first.secret).toMatch(/^ab_[A-Za-z0-9_-]{43}$/);
    expect(first.secret).not.toBe(second.secret);
    expect(first.visiblePrefix).toBe(first.secret.slice(0, 8));
    expect(first.hash).toBe(kind.hash(first.secret));
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('recognises its own shape only', () => {
    expect(kind.looksLike(kind.generate().secret)).toBe(true);
    expect(kind.looksLike('ab_1234')).toBe(false);
    expect(kind.looksLike(new PrefixedSecret('cd_', 8).generate().secret)).toBe(false);
    expect(kind.looksLike(`ab_${'x'.repeat(300)}`)).toBe(false);
  });
});
