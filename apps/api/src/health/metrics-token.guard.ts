import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppConfig, AppException } from '@app/core';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * With METRICS_TOKEN set, a scrape must carry it as a bearer token: the metrics tell an outsider
 * how busy the service is and how many messages wait. Compared as digests in constant time, so
 * that neither the length nor a prefix of the token leaks through timing.
 */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  private readonly expected?: Buffer;

  constructor(config: AppConfig) {
    const token = config.get('METRICS_TOKEN');
    if (token) this.expected = digest(token);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) return true;
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const [scheme, token] = header.split(' ', 2);
    if (
      scheme?.toLowerCase() === 'bearer' &&
      token &&
      timingSafeEqual(digest(token), this.expected)
    )
      return true;
    throw new AppException(
      HttpStatus.UNAUTHORIZED,
      'UNAUTHENTICATED',
      'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>.',
      { headers: { 'WWW-Authenticate': 'Bearer realm="metrics"' } },
    );
  }
}
