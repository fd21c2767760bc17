import { coalesced } from '../../apps/web/src/live/coalesced';

describe('coalesced (live list refreshes)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs once for a burst, when it pauses', () => {
    const run = jest.fn();
    const refresh = coalesced(run);
    for (let i = 0; i < 10; i++) {
      refresh.call();
      jest.advanceTimersByTime(5);
    }
    expect(run).not.toHaveBeenCalled();
    jest.advanceTimersByTime(100);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('still runs every half second while calls never pause', () => {
    const run = jest.fn();
    const refresh = coalesced(run);
    for (let elapsed = 0; elapsed < 2000; elapsed += 50) {
      refresh.call();
      jest.advanceTimersByTime(50);
    }
    expect(run).toHaveBeenCalledTimes(4);
  });

  it('runs nothing once cancelled', () => {
    const run = jest.fn();
    const refresh = coalesced(run);
    refresh.call();
    refresh.cancel();
    jest.advanceTimersByTime(1000);
    expect(run).not.toHaveBeenCalled();
  });
});
