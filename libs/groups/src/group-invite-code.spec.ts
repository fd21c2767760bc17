import { inviteCodeMatches, newInviteCode, normaliseInviteCode } from './group-invite-code';

describe('group invite codes', () => {
  it('are 16 characters of a 32-letter alphabet without look-alikes, each one drawn', () => {
    const codes = Array.from({ length: 2000 }, () => newInviteCode());
    for (const code of codes) expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{16}$/);
    expect(new Set(codes).size).toBe(codes.length);
    // 32,000 draws: every letter appears (a letter never drawn would mean fewer than 80 bits).
    expect(new Set(codes.join('')).size).toBe(32);
  });

  it('match a pasted code in any case, and nothing else', () => {
    const code = newInviteCode();
    expect(inviteCodeMatches(code, normaliseInviteCode(` ${code.toUpperCase()} `) as string)).toBe(
      true,
    );
    expect(inviteCodeMatches(code, `${code.slice(0, 15)}${code[15] === '0' ? '1' : '0'}`)).toBe(
      false,
    );
    expect(inviteCodeMatches(code, code.slice(0, 15))).toBe(false);
    expect(inviteCodeMatches(code, undefined)).toBe(false);
    expect(inviteCodeMatches(code, '')).toBe(false);
  });
});
