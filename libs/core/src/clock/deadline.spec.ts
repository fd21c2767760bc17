import { DeadlineExceededError, withinDeadline } from './deadline';

describe('withinDeadline', () => {
  it('answers what the work answers when it settles in time', async () => {
    await expect(withinDeadline(Promise.resolve('done'), 1000, 'work')).resolves.toBe('done');
    await expect(withinDeadline(Promise.reject(new Error('no')), 1000, 'work')).rejects.toThrow(
      'no',
    );
  });

  it('gives up when the work hangs, naming it', async () => {
    const hanging = new Promise<string>(() => undefined);
    const outcome = withinDeadline(hanging, 20, 'Redis');
    await expect(outcome).rejects.toBeInstanceOf(DeadlineExceededError);
    await expect(outcome).rejects.toThrow('Redis did not finish within 20 ms');
  });

  it('leaves no unhandled rejection when the work fails after the deadline', async () => {
    let fail!: (error: Error) => void;
    const late = new Promise<string>((_, reject) => (fail = reject));
    await expect(withinDeadline(late, 10, 'late work')).rejects.toBeInstanceOf(
      DeadlineExceededError,
    );
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    fail(new Error('too late'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    process.off('unhandledRejection', unhandled);
    expect(unhandled).not.toHaveBeenCalled();
  });
});
