import {
  generateSignInCode,
  hashSignInCode,
  signInCodeMatches,
  signInCodeText,
} from './sign-in-code';

const SECRET = 'a-test-secret-of-at-least-32-characters!';

describe('sign-in codes', () => {
  it('are six digits, leading zeros kept, and spread over the whole range', () => {
    const codes = Array.from({ length: 2000 }, () => generateSignInCode());
    for (const code of codes) expect(code).toMatch(/^\d{6}$/);
    expect(new Set(codes).size).toBeGreaterThan(1990);
    expect(codes.some((code) => code.startsWith('0'))).toBe(true);
  });

  it('are stored as a keyed hash that depends on the phone and the secret', () => {
    const hash = hashSignInCode(SECRET, '+14155550123', '012345');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain('012345');
    expect(hashSignInCode(SECRET, '+14155550124', '012345')).not.toBe(hash);
    expect(hashSignInCode(`${SECRET}x`, '+14155550123', '012345')).not.toBe(hash);
  });

  it('match only the code they were made from', () => {
    const hash = hashSignInCode(SECRET, '+14155550123', '654321');
    expect(signInCodeMatches(SECRET, '+14155550123', '654321', hash)).toBe(true);
    expect(signInCodeMatches(SECRET, '+14155550123', '654320', hash)).toBe(false);
    expect(signInCodeMatches(SECRET, '+14155550124', '654321', hash)).toBe(false);
    expect(signInCodeMatches(SECRET, '+14155550123', '654321', 'not-hex')).toBe(false);
  });

  it('are texted with what they are for and how long they last', () => {
    expect(signInCodeText('123456')).toBe(
      'Your Switchboard code is 123456. It expires in 10 minutes.',
    );
  });
});
