/** Small formatting shared by the chat pages. */
import { ApiError, messageOf, waitText } from '../../api/problem';

/** The API's nullable strings, whatever their generated type says. */
export function textOf(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}

/** E.164, roughly: what the start-a-chat form accepts before asking the API. */
export const E164 = /^\+[1-9]\d{6,14}$/;

/** A pasted number with spaces, dashes or brackets, as E.164 ("+1 (415) 555-0123" → "+14155550123"). */
export function compactPhone(value: string): string {
  return value.trim().replace(/[\s().-]/g, '');
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

/** "14:05" today, "Dec 3" before. */
export function shortTime(iso: string): string {
  const date = new Date(iso);
  const today = new Date().toDateString() === date.toDateString();
  return today ? timeFormat.format(date) : dayFormat.format(date);
}

export function fullTime(iso: string): string {
  return new Date(iso).toLocaleString();
}

const STATUS_TEXT: Record<string, string> = {
  scheduled: 'Scheduled',
  queued: 'Queued',
  sending: 'Sending',
  sent: 'Sent',
  delivered: 'Delivered',
  undelivered: 'Not delivered',
  failed: 'Failed',
  expired: 'Expired',
  canceled: 'Canceled',
  received: 'Received',
};

export function statusText(status: string): string {
  return STATUS_TEXT[status] ?? status;
}

export const FAILED_STATUSES = new Set(['failed', 'undelivered', 'expired', 'canceled']);

/** Why a text did not go out, in words for the sender. */
export function failureText(code: string | undefined, message: string | undefined): string {
  switch (code) {
    case 'RECIPIENT_OPTED_OUT':
      return 'They opted out of your texts (they replied STOP).';
    case 'NUMBER_POOL_EXHAUSTED':
      return 'No number is free to text them from.';
    case undefined:
      return message ?? 'It could not be sent.';
    default:
      return message ?? `It could not be sent (${code}).`;
  }
}

/** The route of the thread with `peer`. */
export function threadPath(peer: string): string {
  return `/chats/${encodeURIComponent(peer)}`;
}

/** Why a send was refused, for the line under the send box. */
export function sendErrorText(error: unknown): string {
  if (error instanceof ApiError && error.code === 'SEND_QUOTA_EXCEEDED') {
    const wait = error.retryAfterSeconds;
    return wait
      ? `You reached your sending limit. Try again ${waitText(wait)}; your text is still here.`
      : (error.detail ?? messageOf(error));
  }
  return messageOf(error);
}
