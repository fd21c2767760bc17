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
}

/** A message to hand to a route. The job id is always the message id (one live job per message). */
export interface MessageDispatchJob {
  messageId: string;
}

export enum MaintenanceJob {
  ReconcileMessages = 'reconcile-messages',
  PurgeEndedAuthSessions = 'purge-ended-auth-sessions',
}
