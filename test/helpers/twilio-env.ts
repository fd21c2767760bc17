import { FakeTwilio } from '../fakes/fake-twilio';

/** Variables that point the API and the worker at a fake Twilio with this number pool. */
export function twilioEnv(
  fake: FakeTwilio,
  pool: string[] = ['+12015550100', '+12015550101'],
): Record<string, string> {
  return {
    TWILIO_ACCOUNT_SID: fake.accountSid,
    TWILIO_AUTH_TOKEN: fake.authToken,
    TWILIO_API_BASE_URL: fake.baseUrl,
    TWILIO_PHONE_NUMBERS: pool.join(','),
    // Tests do not wait for Twilio's 1 message/s per number.
    TWILIO_SEND_RATE_PER_NUMBER: '0',
    DISPATCH_BACKOFF_MS: '50',
  };
}
