/**
 * The yardstick's queue (reference-server.ts adds to it, reference-worker.ts drains it): a queue
 * of its own, so that Switchboard's worker never takes the yardstick's jobs, nor it Switchboard's.
 */
export const REFERENCE_QUEUE = 'reference-dispatch';
