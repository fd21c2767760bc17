import { getPriority } from 'node:os';
import { spawnWorkerProcess, stopProcess } from './helpers/worker-process';

/** The worker yields the CPU to the API on a shared machine (WORKER_NICE). */
describe('worker CPU priority', () => {
  it('runs at the configured niceness', async () => {
    const worker = await spawnWorkerProcess({ WORKER_NICE: '7' });
    try {
      expect(getPriority(worker.pid)).toBe(7);
    } finally {
      await stopProcess(worker);
    }
  });
});
