// Top self-time functions of a V8 .cpuprofile (written by `node --cpu-prof` or by the benchmark's
// --profile option): `node dist/test/bench/profile-summary.js <file.cpuprofile> [top]`.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** node_modules/<package> (or the project's own code, or Node's internals) a function lives in. */
function origin(url: string): string {
  if (!url) return '(native)';
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return match[1];
  if (url.startsWith('node:')) return 'node';
  return /\/dist\/(apps|libs)\//.test(url) ? 'switchboard' : url.replace(/^.*\//, '');
}

export function summariseProfile(file: string, top = 15): string[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfByFunction = new Map<string, number>();
  const selfByOrigin = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const node = byId.get(id);
    const delta = profile.timeDeltas[index] ?? 0;
    if (!node || node.callFrame.functionName === '(idle)') return;
    total += delta;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${url.replace(/^.*\/(node_modules|dist)\//, '')}:${lineNumber + 1}` : '';
    const name = `${functionName || '(anonymous)'} ${where}`.trim();
    selfByFunction.set(name, (selfByFunction.get(name) ?? 0) + delta);
    const from = origin(url);
    selfByOrigin.set(from, (selfByOrigin.get(from) ?? 0) + delta);
  });
  const pct = (value: number) => `${((100 * value) / total).toFixed(1).padStart(5)} %`;
  const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    `  busy ${(total / 1e6).toFixed(1)} s; by function:`,
    ...sorted(selfByFunction).map(([name, time]) => `  ${pct(time)}  ${name}`),
    '  by package:',
    ...sorted(selfByOrigin).map(([name, time]) => `  ${pct(time)}  ${name}`),
  ];
}

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    console.error('Usage: node dist/test/bench/profile-summary.js <file.cpuprofile> [top]');
    process.exit(2);
  }
  console.log(summariseProfile(file, top ? Number(top) : 25).join('\n'));
}
