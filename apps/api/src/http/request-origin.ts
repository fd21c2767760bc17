import { HttpStatus } from '@nestjs/common';
import type { Request } from 'express';
import { AppException } from '@app/core';

/**
 * The origin a request reached: scheme and host as Express gives them (X-Forwarded-Proto and
 * X-Forwarded-Host count only from a proxy TRUST_PROXY trusts).
 */
export function requestOrigin(request: Request): string {
  try {
    return new URL(`${request.protocol}://${request.host ?? ''}`).origin;
  } catch {
    throw new AppException(
      HttpStatus.BAD_REQUEST,
      'MOBILE_ORIGIN_UNKNOWN',
      'The Host header names no origin to build phone-facing URLs from; set MOBILE_PUBLIC_URL.',
    );
  }
}
