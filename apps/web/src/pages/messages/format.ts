/** Shared wording of the messages pages. */
import type { components } from '../../api/schema';

export type MessageView = components['schemas']['MessageView'];
export type MessageStatus = MessageView['status'];

export const STATUSES: MessageStatus[] = [
  'scheduled',
  'queued',
  'sending',
  'sent',
  'delivered',
  'undelivered',
  'failed',
  'expired',
  'canceled',
  'received',
];

/** Statuses the API can still cancel (POST /messages/{id}/cancel). */
export const CANCELABLE: MessageStatus[] = ['scheduled', 'queued'];

/** A moment as this browser writes dates, to the second. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(undefined, {
    dateStyle: 'medium',
    timeStyle: 'medium',
  });
}

/** The other party of a message: whom it went to, or whom it came from. */
export function peerOf(message: MessageView): string {
  return message.direction === 'outbound' ? message.to : (message.from ?? '');
}

/** `<input type="datetime-local">` value ↔ ISO 8601 (the input speaks local time). */
export function localInputOf(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

export function isoOfLocalInput(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
