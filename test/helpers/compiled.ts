import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..');

/** A compiled entry point; the e2e global setup builds dist/ before any test runs. */
export function compiledEntry(relativePath: string): string {
  return join(REPO_ROOT, 'dist', relativePath);
}
