import { NumberType, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { UnprocessableAppException } from '../errors/app.exception';

/** What one parse tells about a valid number: its E.164 form, where it is, what kind it is. */
export interface PhoneNumberFacts {
  e164: string;
  /** ISO 3166-1 alpha-2; undefined for numbers of no country (+800, +882 and other services). */
  country: string | undefined;
  /** Without the +: "1" for the whole NANP (US, CA, JM…). */
  countryCallingCode: string;
  /** MOBILE, FIXED_LINE, PREMIUM_RATE… (libphonenumber's full metadata); undefined if unknown. */
  type: NumberType;
}

// The same numbers come back again and again (replies, group members, repeat recipients), and
// validating one against the full metadata costs ~10 µs: a seventh of a batch's CPU per message.
const NORMALISED_CACHE_SIZE = 10_000;
const normalised = new Map<string, PhoneNumberFacts | null>();

/**
 * Parses a phone number once: its E.164 form, country and type, or null when it is not a valid,
 * dialable number. Only international input (a leading +) is accepted: a server cannot guess the
 * caller's country.
 */
export function describePhoneNumber(input: string): PhoneNumberFacts | null {
  const trimmed = input.trim();
  if (!trimmed.startsWith('+')) return null;
  const known = normalised.get(trimmed);
  if (known !== undefined) return known;
  const parsed = parsePhoneNumberFromString(trimmed);
  // With the full metadata, validity is having a type (isValid runs the same match), so the
  // type comes at no extra cost; isValid is asked only for a number without one.
  const type = parsed?.getType();
  const result =
    parsed && (type !== undefined || parsed.isValid())
      ? {
          e164: parsed.number,
          country: parsed.country,
          countryCallingCode: parsed.countryCallingCode,
          type,
        }
      : null;
  // Bounded by starting over, not LRU: a full cache is rare and refills in a moment.
  if (normalised.size >= NORMALISED_CACHE_SIZE) normalised.clear();
  normalised.set(trimmed, result);
  return result;
}

/** Normalises a phone number to E.164, or returns null when it is not a valid, dialable number. */
export function toE164(input: string): string | null {
  return describePhoneNumber(input)?.e164 ?? null;
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
