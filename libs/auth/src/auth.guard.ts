import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AppException } from '@app/core';
import { AuthenticatedAccount } from './authenticated-account';
import { CredentialsService } from './credentials.service';
import { AUTHENTICATED_ACCOUNT, RequestWithAccount } from './current-account.decorator';
import { IS_PUBLIC_ROUTE } from './public.decorator';

function unauthenticated(detail: string): AppException {
  return new AppException(HttpStatus.UNAUTHORIZED, 'UNAUTHENTICATED', detail, {
    headers: { 'WWW-Authenticate': 'Bearer realm="switchboard"' },
  });
}

/**
 * Global guard: every route needs a valid credential unless it is marked @Public(). A credential
 * is an API key (X-API-Key, or Bearer) or an access token (Bearer) of a session still live.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly credentials: CredentialsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_ROUTE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;

    const request = context.switchToHttp().getRequest<Request & RequestWithAccount>();
    request[AUTHENTICATED_ACCOUNT] = await this.authenticate(request);
    return true;
  }

  private async authenticate(request: Request): Promise<AuthenticatedAccount> {
    const apiKeyHeader = request.header('x-api-key');
    const authorization = request.header('authorization');
    const bearer = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
    const credential = apiKeyHeader ?? bearer;
    if (!credential) {
      throw unauthenticated('Send an API key in X-API-Key or a token in Authorization: Bearer.');
    }
    const found = await this.credentials.authenticate(credential, apiKeyHeader !== undefined);
    if (!found) throw unauthenticated('The credential is not valid.');
    return found;
  }
}
