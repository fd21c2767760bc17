import { useQueryClient } from '@tanstack/react-query';
import { useId, type ChangeEvent } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/client';
import { ApiError, messageOf } from '../../api/problem';
import { queryKeys } from '../../api/query-keys';
import { getSession } from '../../api/session';
import { useSession } from '../../auth/use-session';
import { readBulkFile, type BulkRow } from './bulk-rows';
import { updateBulkRun, useBulkRun } from './bulk-run-store';
import { sendInChunks, type BulkOutcome, type BulkProgress, type SendableRow } from './bulk-send';
import { TextAreaField } from './fields';
import { when } from './format';

/** Good rows shown in the preview; every bad row is always shown. */
const PREVIEW_ROWS = 20;

/** A fresh id per run, without crypto.randomUUID (missing on plain http to a LAN address). */
function newRunId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function lines(rows: { line: number }[]): string {
  const shown = rows.slice(0, 30).map((row) => row.line);
  return (
    shown.join(', ') + (rows.length > shown.length ? ` and ${rows.length - shown.length} more` : '')
  );
}

/**
 * Bulk send from CSV: choose or paste a file, see every bad row by its line before anything is
 * sent, then send the good ones through the batch API in chunks, with a progress bar and a
 * summary of what was accepted, refused and skipped. The page's state lives in
 * bulk-run-store.ts, so a run survives a visit to another page.
 */
export function BulkSendPage() {
  const queryClient = useQueryClient();
  const fileInputId = useId();
  const accountId = useSession()?.account.id ?? '';
  const { text, source, file, stage, readError } = useBulkRun(accountId);
  const update = (change: Parameters<typeof updateBulkRun>[1]) => updateBulkRun(accountId, change);

  const check = (csv: string, from: string) =>
    update({ source: from, file: readBulkFile(csv, new Date()), stage: { name: 'editing' } });

  const choose = async (event: ChangeEvent<HTMLInputElement>) => {
    const chosen = event.target.files?.[0];
    if (!chosen) return;
    update({ readError: '' });
    try {
      const csv = await chosen.text();
      update({ text: csv });
      check(csv, chosen.name);
    } catch {
      update({ readError: `${chosen.name} could not be read.` });
    }
  };

  /** Sends `rows`; after a stop, `before` is the run so far, which the rest adds to. */
  const send = async (rows: SendableRow[], skipped: number, before?: BulkOutcome) => {
    const total = before?.total ?? rows.length;
    const sum = <T extends BulkProgress>(progress: T): T =>
      before
        ? {
            ...progress,
            accepted: before.accepted + progress.accepted,
            refused: [...before.refused, ...progress.refused],
            total,
          }
        : progress;
    update({
      stage: { name: 'sending', progress: sum({ accepted: 0, refused: [], total: rows.length }) },
    });
    const outcome = await sendInChunks(
      rows,
      async (messages, idempotencyKey) => {
        // The run goes on while its page is closed: never as someone who signed in since.
        if (getSession()?.account.id !== accountId) {
          throw new Error('Signed out: the rest was not sent.');
        }
        const answer = await api.POST('/api/v1/messages/batch', {
          body: { messages: messages.map((message) => ({ ...message, route: 'auto' as const })) },
          params: { header: { 'Idempotency-Key': idempotencyKey } },
        });
        return (answer.data as { data?: unknown[] } | undefined)?.data?.length ?? messages.length;
      },
      {
        runId: newRunId(),
        onProgress: (progress) => update({ stage: { name: 'sending', progress: sum(progress) } }),
      },
    );
    update({ stage: { name: 'done', outcome: sum(outcome), skipped } });
    void queryClient.invalidateQueries({ queryKey: queryKeys.messages });
  };

  const good = file?.rows.filter((row) => row.errors.length === 0) ?? [];
  const bad = file?.rows.filter((row) => row.errors.length > 0) ?? [];
  const preview = file
    ? [...bad, ...good.slice(0, PREVIEW_ROWS)].sort((a, b) => a.line - b.line)
    : [];
  const busy = stage.name === 'sending';

  return (
    <>
      <h1>Bulk send from CSV</h1>
      <p className="muted">
        A CSV file with the columns <code>to</code> (international format, e.g. +14155550123),{' '}
        <code>body</code> and optionally <code>sendAt</code> (e.g. 2026-12-24T18:00Z; without a
        zone, your local time). The first line names the columns.
      </p>

      <div className="field">
        <label htmlFor={fileInputId}>CSV file</label>
        <input
          id={fileInputId}
          type="file"
          accept=".csv,text/csv,text/plain"
          onChange={(event) => void choose(event)}
          disabled={busy}
        />
        {readError && <p className="field-error">{readError}</p>}
      </div>
      <details className="paste">
        <summary>Or paste the CSV</summary>
        <TextAreaField
          label="CSV text"
          rows={6}
          value={text}
          onChange={(event) => update({ text: event.target.value })}
          placeholder={'to,body,sendAt\n+14155550123,"Hello, Ada",'}
          disabled={busy}
        />
        <button type="button" onClick={() => check(text, 'pasted text')} disabled={busy}>
          Check rows
        </button>
      </details>

      {file && (
        <section aria-labelledby="bulk-check" className="bulk-section">
          <h2 id="bulk-check">Check</h2>
          {file.problems.map((problem) => (
            <p key={problem} className="alert" role="alert">
              {problem}
            </p>
          ))}
          {file.problems.length === 0 && (
            <p role="status">
              {source}: {file.rows.length} rows, <strong>{good.length} ready to send</strong>
              {bad.length > 0 && (
                <>
                  , <strong>{bad.length} with errors</strong> (skipped)
                </>
              )}
              .
            </p>
          )}
          {file.ignoredColumns.length > 0 && (
            <p className="muted">Not used: the column(s) {file.ignoredColumns.join(', ')}.</p>
          )}
          {bad.length > 0 && (
            <div className="bad-rows">
              <h3>Rows with errors</h3>
              <ul aria-label="Rows with errors">
                {bad.map((row) => (
                  <li key={row.line}>
                    Line {row.line}: {row.errors.join(' ')}
                  </li>
                ))}
              </ul>
            </div>
          )}
          {preview.length > 0 && (
            <Preview rows={preview} more={good.length - Math.min(good.length, PREVIEW_ROWS)} />
          )}
          {stage.name === 'editing' && good.length > 0 && (
            <button type="button" className="primary" onClick={() => void send(good, bad.length)}>
              Send {good.length} message{good.length === 1 ? '' : 's'}
              {bad.length > 0 ? ` (skip ${bad.length} with errors)` : ''}
            </button>
          )}
        </section>
      )}

      {stage.name !== 'editing' && (
        <section aria-labelledby="bulk-progress" className="bulk-section">
          <h2 id="bulk-progress">{stage.name === 'sending' ? 'Sending' : 'Summary'}</h2>
          <Progress
            progress={stage.name === 'sending' ? stage.progress : stage.outcome}
            done={stage.name === 'done'}
          />
          {stage.name === 'done' && (
            <Summary
              outcome={stage.outcome}
              skipped={stage.skipped}
              onSendRest={() => void send(stage.outcome.notSent, stage.skipped, stage.outcome)}
            />
          )}
        </section>
      )}
    </>
  );
}

function Preview({ rows, more }: { rows: BulkRow[]; more: number }) {
  return (
    <div className="table-wrap" role="region" aria-label="Preview of the rows" tabIndex={0}>
      <table className="preview">
        <caption>
          Preview
          {more > 0
            ? ` (every row with errors and the first ${PREVIEW_ROWS} good ones; ${more} more not shown)`
            : ''}
        </caption>
        <thead>
          <tr>
            <th scope="col">Line</th>
            <th scope="col">To</th>
            <th scope="col">Body</th>
            <th scope="col">Send at</th>
            <th scope="col">Check</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.line} className={row.errors.length > 0 ? 'row-bad' : undefined}>
              <td>{row.line}</td>
              <td>{row.to}</td>
              <td className="preview-body">{row.body}</td>
              <td>{row.scheduledAt ? when(row.scheduledAt) : 'now'}</td>
              <td>{row.errors.length > 0 ? row.errors.join(' ') : 'OK'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Progress({ progress, done }: { progress: BulkProgress; done: boolean }) {
  const handled = progress.accepted + progress.refused.length;
  return (
    <div className="field">
      <label htmlFor="bulk-progress-bar">
        {done ? 'Handled' : 'Sent'} {handled} of {progress.total}
      </label>
      <progress id="bulk-progress-bar" max={progress.total} value={handled}>
        {handled} of {progress.total}
      </progress>
    </div>
  );
}

function Summary({
  outcome,
  skipped,
  onSendRest,
}: {
  outcome: BulkOutcome;
  skipped: number;
  onSendRest: () => void;
}) {
  const stopped = outcome.notSent.length > 0;
  const quota = outcome.stoppedBy instanceof ApiError && outcome.stoppedBy.status === 429;
  return (
    <div role="status" className="summary">
      <ul>
        <li>
          <strong>{outcome.accepted}</strong> accepted by the API (
          <Link to="/messages">see them in Messages</Link>)
        </li>
        <li>
          <strong>{outcome.refused.length}</strong> refused by the API
        </li>
        <li>
          <strong>{skipped}</strong> skipped (rows with errors)
        </li>
        {stopped && (
          <li>
            <strong>{outcome.notSent.length}</strong> not sent (lines {lines(outcome.notSent)})
          </li>
        )}
      </ul>
      {outcome.refused.length > 0 && <h3>Refused by the API</h3>}
      {outcome.refused.length > 0 && (
        <ul aria-label="Refused by the API">
          {outcome.refused.map(({ row, reasons }) => (
            <li key={row.line}>
              Line {row.line} ({row.to}): {reasons.join(' ')}
            </li>
          ))}
        </ul>
      )}
      {stopped && (
        <>
          <p className="alert" role="alert">
            {quota ? "Stopped: this account's sending limit is reached. " : 'Stopped: '}
            {messageOf(outcome.stoppedBy)}
          </p>
          <button type="button" onClick={onSendRest}>
            Send the {outcome.notSent.length} not sent
          </button>
        </>
      )}
    </div>
  );
}
