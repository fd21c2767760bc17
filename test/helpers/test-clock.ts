import { Clock } from '@app/core';

/** A clock that tests move by hand: `createTestApp(env, [{ provide: Clock, useValue: clock }])`. */
export class TestClock extends Clock {
  private current: Date;

  constructor(start: Date = new Date()) {
    super();
    this.current = new Date(start);
  }

  override now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export const MINUTES = 60_000;
