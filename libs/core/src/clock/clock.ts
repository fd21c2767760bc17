import { Global, Injectable, Module } from '@nestjs/common';

/**
 * The current time, injected wherever a rule depends on it (code expiry, token lifetimes), so that
 * tests move time by overriding this provider instead of sleeping.
 */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}

/** Provides the one Clock to every module; tests replace it with `overrideProvider(Clock)`. */
@Global()
@Module({ providers: [Clock], exports: [Clock] })
export class ClockModule {}
