import { ApiError } from '../../apps/web/src/api/problem';
import {
  sendInChunks,
  type OutgoingMessage,
  type SendableRow,
} from '../../apps/web/src/pages/messages/bulk-send';

const rowsOf = (count: number): SendableRow[] =>
  Array.from({ length: count }, (_, index) => ({
    line: index + 2,
    to: `+1415555${String(index).padStart(4, '0')}`,
    body: `Hello ${index}`,
  }));

/** What the app asked the API, request by request (the API's side is the browser test's). */
interface Call {
  key: string;
  lines: number[];
}

function recorder(answer: (call: Call, messages: OutgoingMessage[]) => number | ApiError) {
  const calls: Call[] = [];
  const rowsByTo = new Map<string, number>();
  const send = async (messages: OutgoingMessage[], key: string) => {
    const call = { key, lines: messages.map((message) => rowsByTo.get(message.to)!) };
    calls.push(call);
    const result = answer(call, messages);
    if (result instanceof ApiError) throw result;
    return result;
  };
  return {
    calls,
    send,
    know: (rows: SendableRow[]) => rows.forEach((row) => rowsByTo.set(row.to, row.line)),
  };
}

const noWait = () => Promise.resolve();

describe('sendInChunks', () => {
  it('sends every row once, in chunks, each under its own key, reporting progress', async () => {
    const rows = rowsOf(250);
    const api = recorder((_call, messages) => messages.length);
    api.know(rows);
    const seen: number[] = [];
    const outcome = await sendInChunks(rows, api.send, {
      runId: 'run1',
      onProgress: (progress) => seen.push(progress.accepted),
    });
    expect(outcome).toMatchObject({ accepted: 250, refused: [], total: 250, notSent: [] });
    expect(api.calls.map((call) => [call.key, call.lines.length])).toEqual([
      ['bulk-run1-0-0', 100],
      ['bulk-run1-1-0', 100],
      ['bulk-run1-2-0', 50],
    ]);
    expect(seen).toEqual([100, 200, 250]);
  });

  it('sends the scheduled time of a row that has one', async () => {
    const rows = [
      { line: 2, to: '+14155550100', body: 'Later', scheduledAt: '2030-01-01T00:00:00.000Z' },
    ];
    const sent: OutgoingMessage[][] = [];
    await sendInChunks(rows, async (messages) => (sent.push(messages), 1), { runId: 'r' });
    expect(sent).toEqual([
      [{ to: '+14155550100', body: 'Later', scheduledAt: '2030-01-01T00:00:00.000Z' }],
    ]);
  });

  it('asks again under the same key after a lost answer or a 5xx, then goes on', async () => {
    const rows = rowsOf(150);
    let failures = 0;
    const api = recorder((call, messages) =>
      call.key === 'bulk-r-1-0' && failures++ < 2
        ? new ApiError({ status: failures === 1 ? 0 : 503, code: 'X' })
        : messages.length,
    );
    api.know(rows);
    const waits: number[] = [];
    const outcome = await sendInChunks(rows, api.send, {
      runId: 'r',
      sleep: async (ms) => void waits.push(ms),
    });
    expect(outcome.accepted).toBe(150);
    expect(api.calls.map((call) => call.key)).toEqual([
      'bulk-r-0-0',
      'bulk-r-1-0',
      'bulk-r-1-0',
      'bulk-r-1-0',
    ]);
    expect(waits).toEqual([1000, 2000]);
  });

  it('sets aside the rows the API refuses by name and sends the rest of the chunk under a new key', async () => {
    const rows = rowsOf(120);
    const api = recorder((call, messages) => {
      const bad = messages.findIndex((message) => message.to === rows[103].to);
      if (bad < 0) return messages.length;
      return new ApiError({
        status: 422,
        code: 'INVALID_PHONE_NUMBER',
        errors: [{ field: `messages[${bad}].to`, message: 'not a valid E.164 phone number' }],
      });
    });
    api.know(rows);
    const outcome = await sendInChunks(rows, api.send, { runId: 'r', sleep: noWait });
    expect(outcome.accepted).toBe(119);
    expect(outcome.refused).toEqual([
      { row: rows[103], reasons: ['to: not a valid E.164 phone number'] },
    ]);
    expect(api.calls.map((call) => [call.key, call.lines.length])).toEqual([
      ['bulk-r-0-0', 100],
      ['bulk-r-1-0', 20],
      ['bulk-r-1-1', 19],
    ]);
  });

  it('names the field of a lone message without an index', async () => {
    const rows = rowsOf(1);
    const api = recorder(
      () =>
        new ApiError({
          status: 422,
          code: 'DESTINATION_NOT_ALLOWED',
          errors: [{ field: 'to', message: 'premium-rate number' }],
        }),
    );
    api.know(rows);
    const outcome = await sendInChunks(rows, api.send, { runId: 'r', sleep: noWait });
    expect(outcome).toMatchObject({ accepted: 0, notSent: [] });
    expect(outcome.refused).toEqual([{ row: rows[0], reasons: ['to: premium-rate number'] }]);
  });

  it('stops at a refusal that names no row (a quota), keeping what was not sent', async () => {
    const rows = rowsOf(250);
    const quota = new ApiError({ status: 429, code: 'SEND_QUOTA_EXCEEDED', retryAfterSeconds: 30 });
    const api = recorder((call, messages) => (call.key === 'bulk-r-1-0' ? quota : messages.length));
    api.know(rows);
    const outcome = await sendInChunks(rows, api.send, { runId: 'r', sleep: noWait });
    expect(outcome.accepted).toBe(100);
    expect(outcome.stoppedBy).toBe(quota);
    expect(outcome.notSent).toEqual(rows.slice(100));
    expect(api.calls).toHaveLength(2);
  });
});
