/**
 * The rows of a bulk send, read from CSV (columns `to`, `body`, optional `sendAt`) and checked
 * before anything is sent, so that a person sees every bad row by its line and fixes the file.
 * The API checks again (and is the judge: e.g. of which numbers exist); these checks only catch
 * what a file commonly gets wrong. Pure, unit-tested in test/web/bulk-rows.spec.ts.
 */
import { CsvSyntaxError, parseCsv } from './csv';

/** The API's limits (SendMessageDto): a body of at most 1,600 characters. */
export const MAX_BODY_LENGTH = 1600;
/** More rows than this in one file is most likely the wrong file; split it. */
export const MAX_ROWS = 10_000;

export interface BulkRow {
  /** The file line the row starts on (the header is line 1). */
  line: number;
  to: string;
  body: string;
  /** The moment to send at, as the API takes it (ISO 8601, UTC), when the row has one. */
  scheduledAt?: string;
  /** What is wrong with the row, in words; empty when it can be sent. */
  errors: string[];
}

export interface BulkFile {
  rows: BulkRow[];
  /** Problems with the file as a whole (no `to` column, not CSV…): nothing can be sent. */
  problems: string[];
  /** Columns that are not used, so that a typo in a header does not pass unnoticed. */
  ignoredColumns: string[];
}

const E164 = /^\+[1-9]\d{6,14}$/;
// A date and a time, optional seconds and fraction, optional offset (none: the browser's zone).
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** Spaces, dashes, dots and brackets people put in numbers; the API takes them out too. */
export function normalisePhone(text: string): string {
  return text.trim().replace(/[\s\-().]/g, '');
}

/** The moment `text` names, or null when it is not a date and time this reader understands. */
export function parseSendAt(text: string): Date | null {
  const match = DATE_TIME.exec(text.trim());
  if (!match) return null;
  const [y, mo, d, h, mi, s] = match.slice(1, 7).map((part) => Number(part ?? '0'));
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return null;
  // A day past the month's end (e.g. 2026-02-30) would roll into the next month.
  if (d > new Date(Date.UTC(y, mo, 0)).getUTCDate()) return null;
  const date = new Date(
    text
      .trim()
      .replace(' ', 'T')
      .replace(/([+-]\d{2})(\d{2})$/, '$1:$2'),
  );
  // Without an offset the time is the browser's own (Date reads it so); with one, it is exact.
  return Number.isNaN(date.getTime()) ? null : date;
}

function checkRow(line: number, to: string, body: string, sendAt: string, now: Date): BulkRow {
  const errors: string[] = [];
  const phone = normalisePhone(to);
  if (!phone) errors.push('No phone number in `to`.');
  else if (!E164.test(phone)) {
    errors.push(
      `"${to.trim()}" is not a phone number in international format (e.g. +14155550123).`,
    );
  }
  if (body.trim() === '') errors.push('The body is empty.');
  else if (body.length > MAX_BODY_LENGTH) {
    errors.push(`The body is too long: ${body.length} characters, at most ${MAX_BODY_LENGTH}.`);
  }
  let scheduledAt: string | undefined;
  if (sendAt.trim() !== '') {
    const when = parseSendAt(sendAt);
    if (!when) {
      errors.push(`"${sendAt.trim()}" in sendAt is not a date and time (e.g. 2026-12-24T18:00Z).`);
    } else if (when.getTime() <= now.getTime()) {
      errors.push(`sendAt ${sendAt.trim()} is in the past.`);
    } else {
      scheduledAt = when.toISOString();
    }
  }
  return { line, to: phone || to.trim(), body, scheduledAt, errors };
}

/** Reads and checks a CSV file's rows; `now` decides what "in the past" means. */
export function readBulkFile(text: string, now: Date): BulkFile {
  let records;
  try {
    records = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError) {
      return {
        rows: [],
        problems: [`This is not valid CSV. ${error.message}`],
        ignoredColumns: [],
      };
    }
    throw error;
  }
  if (records.length === 0) {
    return { rows: [], problems: ['The file is empty.'], ignoredColumns: [] };
  }
  const header = records[0].fields.map((name) => name.trim().toLowerCase());
  const column = (name: string) => header.indexOf(name.toLowerCase());
  const [toAt, bodyAt, sendAtAt] = [column('to'), column('body'), column('sendAt')];
  const missing = [toAt < 0 && '`to`', bodyAt < 0 && '`body`'].filter(Boolean);
  if (missing.length > 0) {
    return {
      rows: [],
      problems: [
        `The first line must name the columns: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing (columns: to, body, and optionally sendAt).`,
      ],
      ignoredColumns: [],
    };
  }
  const ignoredColumns = records[0].fields
    .filter((_, index) => ![toAt, bodyAt, sendAtAt].includes(index))
    .map((name) => name.trim())
    .filter(Boolean);
  const data = records
    .slice(1)
    .filter((record) => record.fields.some((field) => field.trim() !== ''));
  if (data.length > MAX_ROWS) {
    return {
      rows: [],
      problems: [`The file has ${data.length} rows; at most ${MAX_ROWS} can be sent at once.`],
      ignoredColumns,
    };
  }
  const cell = (fields: string[], index: number) => (index < 0 ? '' : (fields[index] ?? ''));
  const rows = data.map(({ line, fields }) => {
    const row = checkRow(
      line,
      cell(fields, toAt),
      cell(fields, bodyAt),
      cell(fields, sendAtAt),
      now,
    );
    if (fields.length > header.length) {
      row.errors.push(
        `The row has ${fields.length} fields but the header names ${header.length}; quote a body that holds commas.`,
      );
    }
    return row;
  });
  return { rows, problems: [], ignoredColumns };
}
