import { UnprocessableAppException } from '@app/core';
import { COMMON_PASSWORDS } from './common-passwords';

const COMMON = new Set(COMMON_PASSWORDS);

/**
 * NIST SP 800-63B: a new password is checked against the values attackers try first. Compared as
 * Unicode text, case-insensitively: "PassWord" falls to the same guess as "password".
 */
export function assertPasswordNotCommon(password: string, field = 'password'): void {
  if (!COMMON.has(password.normalize('NFKC').toLowerCase())) return;
  const message = 'is one of the most common passwords; choose another';
  throw new UnprocessableAppException(
    'PASSWORD_TOO_COMMON',
    'This password is one of the most common ones, which attackers try first. Choose another.',
    [{ field, code: 'PASSWORD_TOO_COMMON', message }],
  );
}
