import { parseOptions } from '@node-rs/argon2';
import { PasswordHasher } from './password-hasher';

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher();

  it('hashes with argon2id at the OWASP baseline (m ≥ 19 MiB, t ≥ 2, p = 1), salted', async () => {
    const hash = await hasher.hash('correct horse battery staple');
    expect(hash.startsWith('$argon2id$')).toBe(true);
    const options = parseOptions(hash);
    expect(options.memoryCost).toBeGreaterThanOrEqual(19_456);
    expect(options.timeCost).toBeGreaterThanOrEqual(2);
    expect(options.parallelism).toBe(1);
    expect(await hasher.hash('correct horse battery staple')).not.toBe(hash);
    expect(hasher.needsRehash(hash)).toBe(false);
  });

  it('verifies the right password only', async () => {
    const hash = await hasher.hash('correct horse battery staple');
    expect(await hasher.verify(hash, 'correct horse battery staple')).toBe(true);
    expect(await hasher.verify(hash, 'correct horse battery stapler')).toBe(false);
  });

  it('treats canonically equal Unicode as the same password', async () => {
    const hash = await hasher.hash('caf\u00e9-password');
    expect(await hasher.verify(hash, 'cafe\u0301-password')).toBe(true);
  });

  it('refuses when there is no hash, or a broken one, without throwing', async () => {
    expect(await hasher.verify(null, 'anything at all')).toBe(false);
    expect(await hasher.verify('$argon2id$garbage', 'anything at all')).toBe(false);
  });

  it('asks for a rehash of weaker or foreign hashes', () => {
    expect(
      hasher.needsRehash('$argon2id$v=19$m=4096,t=3,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA'),
    ).toBe(true);
    expect(hasher.needsRehash('$2b$10$abcdefghijklmnopqrstuv')).toBe(true);
  });
});
