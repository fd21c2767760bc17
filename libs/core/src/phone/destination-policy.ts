import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { FieldError, UnprocessableAppException } from '../errors/app.exception';
import { PhoneNumberFacts, describePhoneNumber } from './phone-number';

// Numbers whose receiver bills the sender (premium-rate), splits the cost with the sender
// (shared-cost) or is paid per message by whoever texts it (toll-free): the numbers an SMS-pumping
// attack aims at. Never a destination, whatever the configuration.
const REFUSED_TYPES: Record<string, string> = {
  PREMIUM_RATE: 'a premium-rate number',
  SHARED_COST: 'a shared-cost number',
  TOLL_FREE: 'a toll-free number',
};

/** The daily code budget is also shared out by this: the country, or the calling code. */
export function destinationRegionOf(number: PhoneNumberFacts): string {
  return number.country ?? `+${number.countryCallingCode}`;
}

/**
 * Where Switchboard sends SMS: only to ALLOWED_DESTINATION_COUNTRIES when set, and never to
 * premium-rate, shared-cost or toll-free numbers. Applied to every message an account sends and to
 * every sign-in code.
 */
@Injectable()
export class DestinationPolicy {
  private readonly allowedCountries: ReadonlySet<string> | null;

  constructor(config: AppConfig) {
    const countries = config.get('ALLOWED_DESTINATION_COUNTRIES');
    this.allowedCountries = countries.length > 0 ? new Set(countries) : null;
  }

  /** Why nothing may be sent to this number (for a problem's detail), or null when it may. */
  refusalOf(number: PhoneNumberFacts): string | null {
    const refusedType = number.type && REFUSED_TYPES[number.type];
    if (refusedType) return `${number.e164} is ${refusedType}`;
    if (this.allowedCountries && !this.allowedCountries.has(number.country ?? '')) {
      const where = number.country ? `in ${number.country}` : 'of no country';
      return `${number.e164} is ${where}, not in an allowed destination country`;
    }
    return null;
  }

  /** The number, or 422 DESTINATION_NOT_ALLOWED naming the field. `e164` must be valid. */
  requireAllowed(e164: string, field: string): PhoneNumberFacts {
    const number = describePhoneNumber(e164);
    if (!number) throw new Error(`${e164} is not a valid phone number`);
    const refusal = this.refusalOf(number);
    if (refusal === null) return number;
    const error: FieldError = { field, code: 'DESTINATION_NOT_ALLOWED', message: refusal };
    throw new UnprocessableAppException(
      'DESTINATION_NOT_ALLOWED',
      `${refusal}: this server does not send SMS there.`,
      [error],
    );
  }
}
