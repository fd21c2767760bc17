import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';

export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

/** Prefixes every key Switchboard writes outside BullMQ, so that tests and tenants never collide. */
@Injectable()
export class RedisKeys {
  readonly prefix: string;
  constructor(config: AppConfig) {
    this.prefix = config.get('REDIS_PREFIX');
  }
  key(...parts: string[]): string {
    return [this.prefix, ...parts].join(':');
  }
}
