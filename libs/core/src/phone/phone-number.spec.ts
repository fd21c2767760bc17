import { AppException } from '../errors/app.exception';
import { describePhoneNumber, requireE164, toE164 } from './phone-number';

describe('toE164', () => {
  it('normalises spaces, dashes and brackets to E.164', () => {
    expect(toE164('+1 (415) 555-0123')).toBe('+14155550123');
    expect(toE164(' +44 20 7946 0958 ')).toBe('+442079460958');
  });

  it('refuses numbers without a country code, too short, or made of letters', () => {
    expect(toE164('4155550123')).toBeNull();
    expect(toE164('+1415')).toBeNull();
    expect(toE164('+1abc')).toBeNull();
    expect(toE164('')).toBeNull();
  });

  it('answers the same, valid or not, when asked again (remembered answers)', () => {
    for (let round = 0; round < 2; round++) {
      expect(toE164('+1 (415) 555-0123')).toBe('+14155550123');
      expect(toE164('+1415')).toBeNull();
    }
  });

  it('keeps answering correctly past the size of its memory', () => {
    for (let i = 0; i < 12_000; i++) {
      const local = String(5_500_000 + i);
      expect(toE164(`+1 415 ${local}`)).toBe(`+1415${local}`);
    }
    expect(toE164('+1 (415) 555-0123')).toBe('+14155550123');
  });
});

describe('requireE164', () => {
  it('answers 422 INVALID_PHONE_NUMBER naming the field', () => {
    expect(() => requireE164('12', 'to')).toThrow(AppException);
    try {
      requireE164('12', 'to');
    } catch (error) {
      expect((error as AppException).status).toBe(422);
      expect((error as AppException).code).toBe('INVALID_PHONE_NUMBER');
      expect((error as AppException).errors?.[0].field).toBe('to');
    }
  });
});

describe('describePhoneNumber', () => {
  it('tells the country and the type of a number from one parse', () => {
    expect(describePhoneNumber('+1 900 555 0123')).toEqual({
      e164: '+19005550123',
      country: 'US',
      countryCallingCode: '1',
      type: 'PREMIUM_RATE',
    });
    expect(describePhoneNumber('+18762345678')).toMatchObject({ country: 'JM', type: 'MOBILE' });
    expect(describePhoneNumber('+33810123456')).toMatchObject({ type: 'SHARED_COST' });
    expect(describePhoneNumber('+4155550123')).toBeNull();
  });
});
