import { MessageStatus } from './message-status';

/**
 * How far a message of a request to several recipients has gone, in the coarse stages the SMS
 * Gateway for Android client API reports: waiting, taken for sending, sent, delivered, or failed
 * (a failure, an expiry and a cancel alike).
 */
export type RequestProgress = 'pending' | 'processed' | 'sent' | 'delivered' | 'failed';

export const PROGRESS_OF_STATUS: Readonly<Record<MessageStatus, RequestProgress>> = {
  [MessageStatus.Scheduled]: 'pending',
  [MessageStatus.Queued]: 'pending',
  [MessageStatus.Sending]: 'processed',
  [MessageStatus.Sent]: 'sent',
  [MessageStatus.Delivered]: 'delivered',
  [MessageStatus.Undelivered]: 'failed',
  [MessageStatus.Failed]: 'failed',
  [MessageStatus.Expired]: 'failed',
  [MessageStatus.Canceled]: 'failed',
  // Never part of a request (inbound); listed for completeness.
  [MessageStatus.Received]: 'delivered',
};

const statusesAt = (progress: RequestProgress): MessageStatus[] =>
  (Object.keys(PROGRESS_OF_STATUS) as MessageStatus[]).filter(
    (status) => PROGRESS_OF_STATUS[status] === progress,
  );

/**
 * The progress of a whole request from its messages', as the app itself sums up its recipients:
 * any still waiting makes it pending, else any being sent makes it processed; it has failed or
 * been delivered only when every message has; otherwise it is sent.
 */
export function requestProgressOf(statuses: readonly MessageStatus[]): RequestProgress {
  const progress = statuses.map((status) => PROGRESS_OF_STATUS[status]);
  if (progress.includes('pending')) return 'pending';
  if (progress.includes('processed')) return 'processed';
  if (progress.every((stage) => stage === 'failed')) return 'failed';
  if (progress.every((stage) => stage === 'delivered')) return 'delivered';
  return 'sent';
}

const sqlList = (statuses: MessageStatus[]) => statuses.map((status) => `'${status}'`).join(', ');

/** requestProgressOf as an aggregate over the `status` column of a group of messages. */
export const REQUEST_PROGRESS_SQL = `CASE
    WHEN bool_or(status IN (${sqlList(statusesAt('pending'))})) THEN 'pending'
    WHEN bool_or(status IN (${sqlList(statusesAt('processed'))})) THEN 'processed'
    WHEN bool_and(status IN (${sqlList(statusesAt('failed'))})) THEN 'failed'
    WHEN bool_and(status IN (${sqlList(statusesAt('delivered'))})) THEN 'delivered'
    ELSE 'sent' END`;
