import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

export const SIGN_IN_CODE_LENGTH = 6;
export const SIGN_IN_CODE_TTL_MS = 10 * 60_000;
/** NIST SP 800-63B asks for a limit on guesses; with 5 per code, a code falls to 1 in 200 000. */
export const MAX_WRONG_GUESSES_PER_CODE = 5;
/** What stands for the code wherever the text is shown rather than sent (rows, events, the API). */
export const MASKED_SIGN_IN_CODE = '••••••';

/** Six digits from the CSPRNG; leading zeros are kept (a code is text, not a number). */
export function generateSignInCode(): string {
  return randomInt(0, 10 ** SIGN_IN_CODE_LENGTH)
    .toString()
    .padStart(SIGN_IN_CODE_LENGTH, '0');
}

/**
 * Keyed with the server secret: there are only a million codes, so a plain hash would be reversed
 * at once by anyone who read the auth_codes table. The phone is mixed in so that equal codes of two
 * phones do not share a hash.
 */
export function hashSignInCode(secret: string, phone: string, code: string): string {
  return createHmac('sha256', secret).update(`sign-in-code\0${phone}\0${code}`).digest('hex');
}

export function signInCodeMatches(
  secret: string,
  phone: string,
  code: string,
  storedHash: string,
): boolean {
  const given = Buffer.from(hashSignInCode(secret, phone, code), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}

/** The SMS itself: says what the code is for and how long it lasts. */
export function signInCodeText(code: string): string {
  const minutes = Math.round(SIGN_IN_CODE_TTL_MS / 60_000);
  return `Your Switchboard code is ${code}. It expires in ${minutes} minutes.`;
}
