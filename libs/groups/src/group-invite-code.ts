import { createHash, randomInt, timingSafeEqual } from 'node:crypto';

// Crockford's base32 letters without i, l, o and u: a code read out or typed from a text has no
// look-alike characters. 16 of them carry 80 random bits, out of reach of guessing at the rate
// the join endpoint allows.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const LENGTH = 16;

export const INVITE_CODE_MAX_LENGTH = 64;

/** A fresh invite code of a private group, from the system's cryptographic random source. */
export function newInviteCode(): string {
  let code = '';
  for (let index = 0; index < LENGTH; index++) code += ALPHABET[randomInt(ALPHABET.length)];
  return code;
}

/** Codes are case-insensitive, and a pasted one may carry spaces around it. */
export const normaliseInviteCode = (value: unknown) =>
  typeof value === 'string' ? value.trim().toLowerCase() : value;

/** In constant time, so that how long a refusal takes says nothing about how close a guess was. */
export function inviteCodeMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const digest = (code: string) => createHash('sha256').update(code).digest();
  return timingSafeEqual(digest(expected), digest(given));
}
