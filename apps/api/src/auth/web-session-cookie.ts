import { HttpStatus } from '@nestjs/common';
import { parse } from 'cookie';
import type { CookieOptions, Request, Response } from 'express';
import { REFRESH_TOKEN_TTL_MS } from '@app/auth';
import { AppException } from '@app/core';
import { API_PREFIX } from '../api-paths';

/**
 * Browser sign-in (README, Web app): a request that says it comes from the web app gets its
 * refresh token in an HttpOnly cookie rather than in the body, so that no script on the page can
 * read it, and the cookie is sent to the auth routes alone.
 */
export const WEB_CLIENT_HEADER = 'X-Switchboard-Client';
export const WEB_CLIENT = 'web';
export const REFRESH_COOKIE = 'switchboard_refresh';
export const REFRESH_COOKIE_PATH = `/${API_PREFIX}/auth`;

export const csrfHeaderRequired = () =>
  new AppException(
    HttpStatus.FORBIDDEN,
    'CSRF_HEADER_REQUIRED',
    `A refresh token taken from the ${REFRESH_COOKIE} cookie needs the header ${WEB_CLIENT_HEADER}: ${WEB_CLIENT}.`,
  );

export function isWebClient(request: Request): boolean {
  return request.header(WEB_CLIENT_HEADER) === WEB_CLIENT;
}

export interface PresentedRefreshToken {
  token: string | undefined;
  fromCookie: boolean;
}

/**
 * The refresh token of a refresh or logout: the body's, else the cookie's. A browser sends the
 * cookie with any request to its path, a cross-site form's too (SameSite aside); such a form
 * cannot set a header, so the cookie counts only with the web app's header.
 */
export function presentedRefreshToken(
  request: Request,
  bodyToken: string | undefined,
): PresentedRefreshToken {
  if (bodyToken !== undefined) return { token: bodyToken, fromCookie: false };
  const header = request.headers.cookie;
  const cookieToken = header ? parse(header)[REFRESH_COOKIE] : undefined;
  if (!cookieToken) return { token: undefined, fromCookie: false };
  if (!isWebClient(request)) throw csrfHeaderRequired();
  return { token: cookieToken, fromCookie: true };
}

/**
 * What a sign-in answers: the tokens as they are, or for the web app the same without the
 * refresh token, which goes into the cookie (replacing the one it had).
 */
export function deliverTokens<T extends { refreshToken?: string }>(
  request: Request,
  response: Response,
  tokens: T,
): T {
  if (!isWebClient(request) || tokens.refreshToken === undefined) return tokens;
  response.cookie(REFRESH_COOKIE, tokens.refreshToken, {
    ...cookieOptions(request),
    maxAge: REFRESH_TOKEN_TTL_MS,
  });
  const answer = { ...tokens };
  delete answer.refreshToken;
  return answer;
}

/**
 * Runs a refresh or logout; the web app's cookie is cleared when the session ends there (a
 * logout) or its token is refused (401: a browser must not keep presenting it). A server that
 * could not decide (a 5xx) leaves it, so that the app can try again.
 */
export async function settleRefreshCookie<T>(
  request: Request,
  response: Response,
  presented: PresentedRefreshToken,
  work: () => Promise<T>,
  options: { endsSession: boolean },
): Promise<T> {
  const cookieInPlay = presented.fromCookie || isWebClient(request);
  try {
    const result = await work();
    if (cookieInPlay && options.endsSession) clearRefreshCookie(request, response);
    return result;
  } catch (error) {
    const refused = error instanceof AppException && error.status === HttpStatus.UNAUTHORIZED;
    if (cookieInPlay && refused) clearRefreshCookie(request, response);
    throw error;
  }
}

function clearRefreshCookie(request: Request, response: Response): void {
  response.cookie(REFRESH_COOKIE, '', { ...cookieOptions(request), maxAge: 0 });
}

/**
 * Secure when the browser came over HTTPS: `request.secure` reads X-Forwarded-Proto only from a
 * proxy TRUST_PROXY trusts. A plain-http install (a LAN, localhost) still gets a working cookie.
 */
function cookieOptions(request: Request): CookieOptions {
  return {
    httpOnly: true,
    sameSite: 'strict',
    path: REFRESH_COOKIE_PATH,
    secure: request.secure,
  };
}
