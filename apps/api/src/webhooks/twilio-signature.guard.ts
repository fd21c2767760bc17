import { CanActivate, ExecutionContext, HttpStatus, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AppException } from '@app/core';
import { TwilioSignatureService } from '@app/messaging';

const MISSING_SIGNATURE_STATUS = 'switchboard:missing-twilio-signature-status';

/** The answer when the header is absent altogether (a misconfigured caller, not a forgery). */
export const MissingSignatureAnswers = (status: HttpStatus) =>
  SetMetadata(MISSING_SIGNATURE_STATUS, status);

/** Only Twilio, signing with our auth token for our public URL, gets through. */
@Injectable()
export class TwilioSignatureGuard implements CanActivate {
  constructor(
    private readonly signatures: TwilioSignatureService,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    if (!this.signatures.configured) {
      throw new AppException(
        HttpStatus.FORBIDDEN,
        'TWILIO_NOT_CONFIGURED',
        'Twilio webhooks need TWILIO_AUTH_TOKEN to verify signatures.',
      );
    }
    const signature = request.header('x-twilio-signature');
    if (!signature) {
      const status =
        this.reflector.get<HttpStatus>(MISSING_SIGNATURE_STATUS, context.getHandler()) ??
        HttpStatus.FORBIDDEN;
      throw new AppException(status, 'TWILIO_SIGNATURE_MISSING', 'X-Twilio-Signature is required.');
    }
    const params = (request.body ?? {}) as Record<string, string>;
    if (!this.signatures.isValid(signature, request.originalUrl, params)) {
      throw new AppException(
        HttpStatus.FORBIDDEN,
        'TWILIO_SIGNATURE_INVALID',
        'X-Twilio-Signature does not match this request (check PUBLIC_BASE_URL).',
      );
    }
    return true;
  }
}
