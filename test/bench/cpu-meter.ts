import { readFileSync, readdirSync } from 'node:fs';

// Linux's USER_HZ: /proc reports CPU time in ticks of 10 ms.
const TICK_SECONDS = 0.01;
const PG_BACKGROUND =
  /: (checkpointer|background writer|walwriter|autovacuum launcher|logical replication launcher|archiver|startup)\s*$/;

/** CPU seconds each part of the system used during a phase, and what else ran on the machine. */
export interface CpuUse {
  seconds: number;
  /** Per process group (api, worker, fake Twilio, load generator, postgres, redis). */
  byGroup: Record<string, number>;
  /**
   * Machine-wide busy CPU seconds not accounted for by the groups: other work on the machine,
   * including `stolen`.
   */
  other: number;
  /**
   * Of `other`: the time the hypervisor ran other guests while this VM wanted the CPU ("steal"),
   * which slows every process of the run without showing in their own CPU time.
   */
  stolen: number;
  /** The machine's capacity over the phase (cores × seconds). */
  capacity: number;
}

interface Snapshot {
  at: number;
  machineBusy: number;
  steal: number;
  byPid: Map<number, { group: string; ticks: number }>;
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** utime + stime of a process, in ticks. */
function processTicks(pid: number): number | null {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return null;
  // Fields after the command name, which may itself contain spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function machineBusyTicks(): { busy: number; steal: number; cores: number } {
  const stat = read('/proc/stat') ?? '';
  const [total] = stat.split('\n');
  const [, user, nice, system, idle, iowait, irq, softirq, steal] = total.split(/\s+/).map(Number);
  void idle;
  void iowait;
  const cores = stat.split('\n').filter((line) => /^cpu\d+ /.test(line)).length;
  return { busy: user + nice + system + irq + softirq + steal, steal, cores };
}

/** The machine's steal time so far and its cores, for a whole run's share (Linux only). */
export function stealSoFar(): { seconds: number; cores: number } | null {
  if (read('/proc/stat') === null) return null;
  const { steal, cores } = machineBusyTicks();
  return { seconds: steal * TICK_SECONDS, cores };
}

/**
 * Measures CPU time per process group from /proc (Linux only; elsewhere it reports nothing).
 * The groups: the processes the runner started (by pid), the runner itself, PostgreSQL's
 * background processes and its backends of the benchmark database, and Redis.
 */
export class CpuMeter {
  private readonly available = read('/proc/stat') !== null;

  constructor(
    private readonly databaseName: string,
    private readonly pids: () => Record<string, number | undefined>,
  ) {}

  private classify(): Map<number, string> {
    const groups = new Map<number, string>();
    for (const [group, pid] of Object.entries(this.pids())) if (pid) groups.set(pid, group);
    groups.set(process.pid, 'load generator');
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      if (groups.has(pid)) continue;
      const cmdline = read(`/proc/${pid}/cmdline`)?.replace(/\0/g, ' ').trim();
      if (!cmdline) continue;
      if (cmdline.startsWith('redis-server')) groups.set(pid, 'redis');
      else if (
        /bin\/postgres /.test(cmdline) ||
        (cmdline.startsWith('postgres:') &&
          (cmdline.includes(` ${this.databaseName} `) || PG_BACKGROUND.test(cmdline)))
      ) {
        groups.set(pid, 'postgres');
      }
    }
    return groups;
  }

  snapshot(): Snapshot | null {
    if (!this.available) return null;
    const byPid = new Map<number, { group: string; ticks: number }>();
    for (const [pid, group] of this.classify()) {
      const ticks = processTicks(pid);
      if (ticks !== null) byPid.set(pid, { group, ticks });
    }
    const machine = machineBusyTicks();
    return { at: Date.now(), machineBusy: machine.busy, steal: machine.steal, byPid };
  }

  /** CPU used between `start` and now; processes that started meanwhile count from zero. */
  since(start: Snapshot | null): CpuUse | null {
    const end = this.snapshot();
    if (!start || !end) return null;
    const byGroup: Record<string, number> = {};
    let accounted = 0;
    for (const [pid, { group, ticks }] of end.byPid) {
      const used = (ticks - (start.byPid.get(pid)?.ticks ?? 0)) * TICK_SECONDS;
      byGroup[group] = (byGroup[group] ?? 0) + used;
      accounted += used;
    }
    const seconds = (end.at - start.at) / 1000;
    const machine = (end.machineBusy - start.machineBusy) * TICK_SECONDS;
    for (const group of Object.keys(byGroup))
      byGroup[group] = Math.round(byGroup[group] * 100) / 100;
    return {
      seconds,
      byGroup,
      other: Math.max(0, Math.round((machine - accounted) * 100) / 100),
      stolen: Math.round((end.steal - start.steal) * TICK_SECONDS * 100) / 100,
      capacity: Math.round(seconds * machineBusyTicks().cores * 100) / 100,
    };
  }
}

/** e.g. "api 9.8 s, postgres 4.1 s, … (other work on the machine 0.3 s of 20 s)". */
export function describeCpu(use: CpuUse | null, perMessages?: number): string {
  if (!use) return 'CPU use not measured (no /proc)';
  const parts = Object.entries(use.byGroup)
    .filter(([, seconds]) => seconds >= 0.05)
    .sort((a, b) => b[1] - a[1])
    .map(([group, seconds]) =>
      perMessages
        ? `${group} ${seconds.toFixed(1)} s (${Math.round((seconds * 1e6) / perMessages)} µs/msg)`
        : `${group} ${seconds.toFixed(1)} s`,
    );
  const others = Math.max(0, use.other - use.stolen);
  return (
    `CPU ${parts.join(', ')}; of ${use.capacity.toFixed(0)} s, other processes ` +
    `${others.toFixed(1)} s, given to other VMs ${use.stolen.toFixed(1)} s`
  );
}
