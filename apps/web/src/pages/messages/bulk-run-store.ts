import { useSyncExternalStore } from 'react';
import type { BulkFile } from './bulk-rows';
import type { BulkOutcome, BulkProgress } from './bulk-send';

export type BulkStage =
  | { name: 'editing' }
  | { name: 'sending'; progress: BulkProgress }
  | { name: 'done'; outcome: BulkOutcome; skipped: number };

/** What the bulk page shows: the CSV, its check, and the run's progress or summary. */
export interface BulkRun {
  /** Whose run it is: another account signing in to this tab starts with an empty page. */
  accountId: string | null;
  text: string;
  source: string;
  file: BulkFile | null;
  stage: BulkStage;
  readError: string;
}

const emptyRun = (accountId: string | null): BulkRun => ({
  accountId,
  text: '',
  source: '',
  file: null,
  stage: { name: 'editing' },
  readError: '',
});

// Outside React, so that a run goes on updating it while the person looks at another page, and
// they find its progress or its summary when they come back.
let current = emptyRun(null);
const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function updateBulkRun(accountId: string, change: Partial<Omit<BulkRun, 'accountId'>>) {
  const base = current.accountId === accountId ? current : emptyRun(accountId);
  current = { ...base, ...change };
  for (const listener of listeners) listener();
}

export function useBulkRun(accountId: string | null): BulkRun {
  const run = useSyncExternalStore(subscribe, () => current);
  return run.accountId === accountId ? run : emptyRun(accountId);
}
