import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import type { Request } from 'express';
import { AppConfig } from '@app/core';
import { TwilioSignatureService } from '@app/messaging';
import { TwilioSignatureGuard } from '../apps/api/src/webhooks/twilio-signature.guard';

/**
 * The example of Twilio's request validation documentation (the Node.js snippet of
 * TwilioDevEd/api-snippets, security/signature_validation): a signature Twilio computed, not one
 * our SDK computed for itself, so that an SDK checking its own output cannot hide a wrong URL or
 * parameter handling.
 */
const DOCUMENTED = {
  authToken: '12345',
  url: 'https://mycompany.com/myapp.php?foo=1&bar=2',
  params: {
    CallSid: 'CA1234567890ABCDE',
    Caller: '+14158675309',
    Digits: '1234',
    From: '+14158675309',
    To: '+18005551212',
  },
  signature: 'RSOYDt4T1cUTdK1PDd93/VVr8B8=',
};
const PUBLIC_BASE_URL = 'https://mycompany.com';
const ORIGINAL_URL = '/myapp.php?foo=1&bar=2';

const signaturesFor = (authToken: string, publicBaseUrl = PUBLIC_BASE_URL) =>
  new TwilioSignatureService(
    AppConfig.from({
      TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
      TWILIO_AUTH_TOKEN: authToken,
      PUBLIC_BASE_URL: publicBaseUrl,
    }),
  );

describe("Twilio signatures, against Twilio's documented example", () => {
  const service = signaturesFor(DOCUMENTED.authToken);

  describe('TwilioSignatureService', () => {
    it('accepts the documented signature for the public URL and the parameters', () => {
      expect(service.isValid(DOCUMENTED.signature, ORIGINAL_URL, DOCUMENTED.params)).toBe(true);
    });

    it('refuses it for another parameter value, another query, a missing parameter or another token', () => {
      const { signature, params } = DOCUMENTED;
      expect(service.isValid(signature, ORIGINAL_URL, { ...params, Digits: '1235' })).toBe(false);
      expect(service.isValid(signature, '/myapp.php?foo=1&bar=3', params)).toBe(false);
      const { Digits: _digits, ...withoutDigits } = params;
      expect(service.isValid(signature, ORIGINAL_URL, withoutDigits)).toBe(false);
      expect(signaturesFor('54321').isValid(signature, ORIGINAL_URL, params)).toBe(false);
    });

    it('signs the URL Twilio called, so a different PUBLIC_BASE_URL does not match', () => {
      const elsewhere = signaturesFor(DOCUMENTED.authToken, 'http://mycompany.com');
      expect(elsewhere.isValid(DOCUMENTED.signature, ORIGINAL_URL, DOCUMENTED.params)).toBe(false);
    });
  });

  describe('TwilioSignatureGuard', () => {
    const guard = new TwilioSignatureGuard(service, new Reflector());
    const requestWith = (signature: string, body: Record<string, string>) =>
      new ExecutionContextHost([
        {
          originalUrl: ORIGINAL_URL,
          body,
          header: (name: string) =>
            name.toLowerCase() === 'x-twilio-signature' ? signature : undefined,
        } as unknown as Request,
      ]);

    it('lets the documented request through', () => {
      expect(guard.canActivate(requestWith(DOCUMENTED.signature, DOCUMENTED.params))).toBe(true);
    });

    it('refuses it with a changed parameter: 403 TWILIO_SIGNATURE_INVALID', () => {
      const changed = { ...DOCUMENTED.params, From: '+14158675310' };
      expect(() => guard.canActivate(requestWith(DOCUMENTED.signature, changed))).toThrow(
        expect.objectContaining({
          code: 'TWILIO_SIGNATURE_INVALID',
          status: 403,
        }),
      );
    });
  });
});
