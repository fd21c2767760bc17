import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { BenchFigure, meetsTarget } from './bench-context';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  postgres: string;
  redis: string;
}

export function describeMachine(postgres: string, redis: string): MachineInfo {
  const processors = cpus();
  return {
    cpus: processors.length,
    cpuModel: processors[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    postgres,
    redis,
  };
}

const number = (value: number, unit: BenchFigure['unit']): string => {
  if (!Number.isFinite(value)) return 'n/a';
  const digits = unit === 'ms' && value < 100 ? 1 : 0;
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
};

function targetText(figure: BenchFigure): string {
  if (!figure.target) return '';
  const { min, max } = figure.target;
  if (min !== undefined) return `≥ ${number(min, figure.unit)}`;
  if (max !== undefined) return `≤ ${number(max, figure.unit)}`;
  return '';
}

/** The results as a plain-text table. */
export function formatTable(figures: BenchFigure[]): string {
  const rows = figures.map((figure) => {
    const verdict = meetsTarget(figure);
    return [
      figure.label,
      `${number(figure.value, figure.unit)} ${figure.unit}`,
      targetText(figure),
      verdict === undefined ? '' : verdict ? 'met' : 'MISSED',
      figure.note ?? '',
    ];
  });
  const header = ['figure', 'value', 'target', '', 'notes'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column === 1 ? cell.padStart(widths[column]) : cell.padEnd(widths[column]),
      )
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join(
    '\n',
  );
}

export function writeJson(file: string, content: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`);
}
