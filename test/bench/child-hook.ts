// Preloaded (`node -r`) into the API and worker processes the benchmark starts, which run with
// an IPC channel to the runner; the apps themselves know nothing of it.
//  - Watchdog: when the runner goes away without stopping us (kill -9), we stop too, so that a
//    benchmark never leaves servers behind.
//  - Profiler: with BENCH_PROFILE_DIR set, the messages {benchProfile: 'start' | 'stop'} start a
//    CPU profile and stop it, writing BENCH_PROFILE_DIR/<BENCH_PROCESS_NAME>-<n>.cpuprofile (the
//    runner brackets each phase with them). Signals cannot be used (Nest's shutdown hooks take
//    them all), nor `node --cpu-prof` (Nest ends the process by re-raising SIGTERM, and a
//    profile is only written on a normal exit).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

if (process.send) {
  // The channel must not keep the process alive on its own.
  process.channel?.unref();
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));

  const profileDir = process.env.BENCH_PROFILE_DIR;
  const name = process.env.BENCH_PROCESS_NAME ?? String(process.pid);
  let session: Session | undefined;
  let count = 0;
  process.on('message', (message: { benchProfile?: 'start' | 'stop' }) => {
    if (!profileDir || !message.benchProfile) return;
    if (message.benchProfile === 'start' && !session) {
      const started = new Session();
      session = started;
      started.connect();
      started.post('Profiler.enable', () =>
        started.post('Profiler.setSamplingInterval', { interval: 500 }, () =>
          started.post('Profiler.start'),
        ),
      );
      return;
    }
    if (message.benchProfile === 'stop' && session) {
      const running = session;
      session = undefined;
      running.post('Profiler.stop', (error, result) => {
        running.disconnect();
        const file = error ? null : join(profileDir, `${name}-${++count}.cpuprofile`);
        if (file) writeFileSync(file, JSON.stringify(result.profile));
        process.send?.({ benchProfileWritten: file });
      });
    }
  });
}
