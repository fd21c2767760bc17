import { createHmac } from 'node:crypto';
/**
 * JSON exactly as the SMS Gateway for Android app's Gson writes it, so that the simulator's
 * bodies (and the bytes its webhook signatures cover) are the app's, not JSON.stringify's:
 *
 * - `null` and `undefined` object fields are left out (the app never calls `serializeNulls()`);
 *   a null inside a list stays `null`.
 * - fields keep the order they are given in (Gson writes a class's own fields, then its
 *   superclass's; callers build objects in that order).
 * - strings are HTML-safe escaped, as Gson does by default: `<` `>` `&` `=` `'` become
 *   `\u003c` `\u003e` `\u0026` `\u003d` `\u0027`, and U+2028/U+2029 are escaped too.
 * - dates use the app's pattern `yyyy-MM-dd'T'HH:mm:ss.SSSXXX` in the phone's time zone
 *   (`Z` at offset zero, else `+02:00`).
 */

/** A Date to be written in the app's date format at a given UTC offset. */
export class GsonDate {
  constructor(
    readonly date: Date,
    readonly offsetMinutes: number,
  ) {}

  toString(): string {
    return formatGsonDate(this.date, this.offsetMinutes);
  }
}

export function formatGsonDate(date: Date, offsetMinutes: number): string {
  const shifted = new Date(date.getTime() + offsetMinutes * 60_000);
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  const local =
    `${pad(shifted.getUTCFullYear(), 4)}-${pad(shifted.getUTCMonth() + 1)}-${pad(shifted.getUTCDate())}` +
    `T${pad(shifted.getUTCHours())}:${pad(shifted.getUTCMinutes())}:${pad(shifted.getUTCSeconds())}` +
    `.${pad(shifted.getUTCMilliseconds(), 3)}`;
  if (offsetMinutes === 0) return `${local}Z`;
  const sign = offsetMinutes > 0 ? '+' : '-';
  const absolute = Math.abs(offsetMinutes);
  return `${local}${sign}${pad(Math.floor(absolute / 60))}:${pad(absolute % 60)}`;
}

const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/**
 * Reads a date the way the app's Gson does: its own pattern first, then ISO 8601 (with or
 * without fractions, `Z` or an offset). Anything else makes the whole response unreadable, as a
 * JsonSyntaxException would.
 */
export function parseGsonDate(value: unknown, field: string): Date | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string' || !ISO_8601.test(value)) {
    throw new Error(`${field}: ${JSON.stringify(value)} is not a date the app can read`);
  }
  const parsed = new Date(
    /T/.test(value) && !/(Z|[+-]\d{2}(:?\d{2})?)$/.test(value) ? `${value}Z` : value,
  );
  if (Number.isNaN(parsed.getTime())) {
    throw new Error(`${field}: ${JSON.stringify(value)} is not a date the app can read`);
  }
  return parsed;
}

const ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\t': '\\t',
  '\b': '\\b',
  '\n': '\\n',
  '\r': '\\r',
  '\f': '\\f',
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '=': '\\u003d',
  "'": '\\u0027',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

function gsonString(value: string): string {
  let out = '"';
  for (const char of value) {
    const escaped = ESCAPES[char];
    if (escaped) out += escaped;
    else if (char.charCodeAt(0) < 0x20)
      out += `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
    else out += char;
  }
  return `${out}"`;
}

function gsonNumber(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`Gson refuses ${value}`);
  return String(value);
}

/** Serializes like the app's `GsonBuilder().configure().create().toJson(value)`. */
export function gsonStringify(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof GsonDate) return gsonString(value.toString());
  if (typeof value === 'string') return gsonString(value);
  if (typeof value === 'number') return gsonNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `[${value.map((item) => gsonStringify(item)).join(',')}]`;
  if (value instanceof Map) {
    const entries = [...(value as Map<unknown, unknown>).entries()].filter(
      ([, item]) => item !== null && item !== undefined,
    );
    return `{${entries.map(([key, item]) => `${gsonString(String(key))}:${gsonStringify(item)}`).join(',')}}`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(
      ([, item]) => item !== null && item !== undefined,
    );
    return `{${entries.map(([key, item]) => `${gsonString(key)}:${gsonStringify(item)}`).join(',')}}`;
  }
  throw new Error(`Gson cannot write a ${typeof value}`);
}

/** Java's String.hashCode (UTF-16 code units, 32-bit overflow). */
export function javaStringHash(value: string): number {
  let hash = 0;
  for (let index = 0; index < value.length; index++) {
    hash = (Math.imul(hash, 31) + value.charCodeAt(index)) | 0;
  }
  return hash;
}

/** Java's Date.hashCode: the millisecond time's two halves XORed. */
export function javaDateHash(date: Date): number {
  const time = BigInt(date.getTime());
  const mixed = time ^ (BigInt.asUintN(64, time) >> 32n);
  return Number(BigInt.asIntN(32, mixed));
}

/**
 * The app's webhook signature (its payload-signing plugin): HMAC-SHA256 keyed with the key's UTF-8
 * bytes over the body text followed by the `X-Timestamp` value (Unix seconds), lowercase hex.
 */
export function appSignature(key: string, body: string, timestamp: string): string {
  return createHmac('sha256', Buffer.from(key, 'utf8'))
    .update(Buffer.from(body + timestamp, 'utf8'))
    .digest('hex');
}
