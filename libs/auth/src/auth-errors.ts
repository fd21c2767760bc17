import { HttpStatus } from '@nestjs/common';
import { AppException } from '@app/core';
import { rateLimitedException } from './rate-limit-windows';

/**
 * The sign-in failures a client can meet, each with its stable code. They are deliberately vague:
 * which part of a credential was wrong is an answer an attacker should not get.
 */
export const authErrors = {
  invalidCode: (status: HttpStatus = HttpStatus.UNAUTHORIZED) =>
    new AppException(
      status,
      'INVALID_CODE',
      'The code is wrong, expired or already used. Request a new one.',
    ),

  invalidCredentials: (
    status: HttpStatus = HttpStatus.UNAUTHORIZED,
    detail = 'The phone number or password is wrong.',
  ) => new AppException(status, 'INVALID_CREDENTIALS', detail),

  invalidRefreshToken: () =>
    new AppException(
      HttpStatus.UNAUTHORIZED,
      'INVALID_REFRESH_TOKEN',
      'The refresh token is not valid, expired or revoked. Sign in again.',
    ),

  refreshTokenReused: () =>
    new AppException(
      HttpStatus.UNAUTHORIZED,
      'REFRESH_TOKEN_REUSED',
      'This refresh token was already used. The session is revoked as a precaution; sign in again.',
    ),

  signUpDisabled: () =>
    new AppException(
      HttpStatus.FORBIDDEN,
      'SIGNUP_DISABLED',
      'This server does not create accounts by phone sign-up; ask its operator for an account.',
    ),

  rateLimited: rateLimitedException,
};
