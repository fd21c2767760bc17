import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import type { Request } from 'express';
import { ClientContext } from '@app/auth';

/**
 * Where a sign-in request comes from: the address the per-IP limits count (Express resolves it
 * through trusted proxies) and the user agent kept with the session.
 */
export const Client = createParamDecorator(
  (_data: unknown, context: ExecutionContext): ClientContext => {
    const request = context.switchToHttp().getRequest<Request>();
    return { ip: request.ip, userAgent: request.header('user-agent') };
  },
);
