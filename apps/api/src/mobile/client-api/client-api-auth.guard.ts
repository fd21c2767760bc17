import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AppException } from '@app/core';
import {
  AUTHENTICATED_ACCOUNT,
  AuthenticatedAccount,
  CredentialsService,
  RequestWithAccount,
} from '@app/auth';

export const ClientApiErrorCode = {
  Unauthenticated: 'UNAUTHENTICATED',
} as const;

function unauthenticated(detail: string): AppException {
  return new AppException(HttpStatus.UNAUTHORIZED, ClientApiErrorCode.Unauthenticated, detail, {
    headers: { 'WWW-Authenticate': 'Basic realm="switchboard", charset="UTF-8"' },
  });
}

/**
 * The client API's callers (the `android-sms-gateway` npm client, Home Assistant, n8n, scripts)
 * sign in with HTTP Basic: the username is not checked (any value, e.g. the account id) and the
 * password is a Switchboard API key (`sb_…`). `Authorization: Bearer` with an API key or an access
 * token works too, as does X-API-Key, as on /api/v1. Anything else is 401 with a Basic challenge, so that a client
 * that waits for one sends its credentials.
 */
@Injectable()
export class ClientApiAuthGuard implements CanActivate {
  constructor(private readonly credentials: CredentialsService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request & RequestWithAccount>();
    request[AUTHENTICATED_ACCOUNT] = await this.authenticate(request);
    return true;
  }

  private async authenticate(request: Request): Promise<AuthenticatedAccount> {
    const apiKey = request.header('x-api-key');
    const credential = apiKey ?? credentialOf(request.header('authorization'));
    if (credential === null) {
      throw unauthenticated(
        'Send "Authorization: Basic base64(<any username>:<API key>)", or a Bearer token.',
      );
    }
    const found =
      credential && (await this.credentials.authenticate(credential, apiKey !== undefined));
    if (!found) throw unauthenticated('The credential is not valid.');
    return found;
  }
}

/** The secret of a Basic (its password) or Bearer header; null when there is no such header. */
function credentialOf(header: string | undefined): string | null {
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon < 0 ? '' : decoded.slice(colon + 1);
  }
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return bearer ? bearer[1] : null;
}
