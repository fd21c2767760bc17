/**
 * Every BullMQ queue, and the payload of its jobs, declared once. Producers (api) and consumers
 * (worker) import these; nobody types a queue name.
 *
 * Renaming a queue orphans the jobs waiting in the old one: keep the old name draining (or rely on
 * the reconciler, which re-enqueues every unfinished message) before removing it.
 */
export enum QueueName {
  MessageDispatch = 'message-dispatch',
  Maintenance = 'maintenance',
  WebhookDelivery = 'webhook-delivery',
}

/** A message to hand to a route. The job id is always the message id (one live job per message). */
export interface MessageDispatchJob {
  messageId: string;
}

/** A job for `Queue.add`/`addBulk` on the dispatch queue. */
export interface MessageDispatchJobSpec {
  name: 'dispatch';
  data: MessageDispatchJob;
  opts: { jobId: string; delay?: number };
}

/**
 * The dispatch job of one message, made in one place so that its id is always the message's:
 * adding it again (a retried bulk, the reconciler, a re-route) can never make a second job.
 */
export function dispatchJobFor(messageId: string, delayMs?: number): MessageDispatchJobSpec {
  const opts: MessageDispatchJobSpec['opts'] = { jobId: messageId };
  if (delayMs !== undefined) opts.delay = delayMs;
  return { name: 'dispatch', data: { messageId }, opts };
}

/** One delivery of a webhook event to one endpoint. The job id is always the delivery id. */
export interface WebhookDeliveryJob {
  deliveryId: string;
}

export interface WebhookDeliveryJobSpec {
  name: 'deliver';
  data: WebhookDeliveryJob;
  opts: { jobId: string };
}

/** The job of one webhook delivery: re-adding it (the reconciler, a retry) never makes two. */
export function webhookDeliveryJobFor(deliveryId: string): WebhookDeliveryJobSpec {
  return { name: 'deliver', data: { deliveryId }, opts: { jobId: deliveryId } };
}

export enum MaintenanceJob {
  ReconcileMessages = 'reconcile-messages',
  PurgeEndedAuthSessions = 'purge-ended-auth-sessions',
}
