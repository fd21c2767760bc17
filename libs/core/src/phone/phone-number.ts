import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { UnprocessableAppException } from '../errors/app.exception';

/**
 * Normalises a phone number to E.164, or returns null when it is not a valid, dialable number.
 * Only international input (a leading +) is accepted: a server cannot guess the caller's country.
 */
export function toE164(input: string): string | null {
  const trimmed = input.trim();
  if (!trimmed.startsWith('+')) return null;
  const parsed = parsePhoneNumberFromString(trimmed);
  if (!parsed || !parsed.isValid()) return null;
  return parsed.number;
}

/** As `toE164`, but answers the caller with 422 INVALID_PHONE_NUMBER naming the field. */
export function requireE164(input: string, field: string): string {
  const normalised = toE164(input);
  if (normalised) return normalised;
  throw new UnprocessableAppException(
    'INVALID_PHONE_NUMBER',
    `${field} "${input}" is not a valid phone number in international format (e.g. +14155550123).`,
    [{ field, code: 'INVALID_PHONE_NUMBER', message: 'not a valid E.164 phone number' }],
  );
}
