import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import { AuthenticatedAccount } from './authenticated-account';

export const AUTHENTICATED_ACCOUNT = Symbol('authenticatedAccount');

export type RequestWithAccount = { [AUTHENTICATED_ACCOUNT]?: AuthenticatedAccount };

/** The caller, as established by the auth guard. */
export const CurrentAccount = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedAccount => {
    const request = context.switchToHttp().getRequest<RequestWithAccount>();
    const account = request[AUTHENTICATED_ACCOUNT];
    if (!account) throw new Error('CurrentAccount used on a route without authentication');
    return account;
  },
);
