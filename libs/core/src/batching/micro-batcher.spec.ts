import { MicroBatcher, inRounds } from './micro-batcher';

describe('MicroBatcher', () => {
  it('runs the calls of one event-loop turn as one batch, answering each caller in order', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number, number>(async (inputs) => {
      batches.push(inputs);
      return inputs.map((input) => input * 10);
    });
    const answers = await Promise.all([1, 2, 3].map((input) => batcher.submit(input)));
    expect(answers).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
    expect(await batcher.submit(4)).toBe(40);
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it('cuts batches at the weight limit; a heavier input goes alone', async () => {
    const batches: string[][] = [];
    const batcher = new MicroBatcher<string, number>(
      async (inputs) => {
        batches.push(inputs);
        return inputs.map((input) => input.length);
      },
      { weight: (input) => input.length, maxWeight: 4 },
    );
    await Promise.all(['aa', 'bb', 'c', 'dddddd', 'e'].map((input) => batcher.submit(input)));
    expect(batches).toEqual([['aa', 'bb'], ['c'], ['dddddd'], ['e']]);
  });

  it('fails only the caller whose input fails when a batch fails', async () => {
    const batcher = new MicroBatcher<number, number>(async (inputs) => {
      if (inputs.includes(2)) throw new Error('bad input 2');
      return inputs;
    });
    const results = await Promise.allSettled([1, 2, 3].map((input) => batcher.submit(input)));
    expect(results).toEqual([
      { status: 'fulfilled', value: 1 },
      { status: 'rejected', reason: new Error('bad input 2') },
      { status: 'fulfilled', value: 3 },
    ]);
  });
});

describe('inRounds', () => {
  it('handles a key given twice in a later round, as two separate calls would', async () => {
    const rounds: string[][] = [];
    const results = await inRounds(
      ['a', 'b', 'a', 'c', 'a'],
      (key) => key,
      async (distinct) => {
        rounds.push(distinct);
        return new Map(distinct.filter((key) => key !== 'c').map((key) => [key, rounds.length]));
      },
    );
    expect(rounds).toEqual([['a', 'b', 'c'], ['a'], ['a']]);
    expect(results).toEqual([1, 1, 2, null, 3]);
  });
});
