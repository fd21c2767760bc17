import { EventuallyTimeout, eventually } from './eventually';

describe('eventually', () => {
  it('returns the first value the condition accepts', async () => {
    let probes = 0;
    const value = await eventually(
      async () => ++probes,
      (count) => count === 3,
      1_000,
      1,
    );
    expect(value).toBe(3);
  });

  it('throws on timeout, naming the condition and the last value, instead of returning it', async () => {
    const waited = eventually(
      async () => [] as string[],
      (texts) => texts.length > 0,
      50,
      5,
    );
    await expect(waited).rejects.toThrow(EventuallyTimeout);
    await expect(waited).rejects.toThrow(
      /^waited 50 ms for \(texts\)\s*=>\s*texts\.length > 0; last value: \[\]$/,
    );
  });
});
