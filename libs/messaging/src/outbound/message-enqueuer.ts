import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import {
  DomainEvent,
  EventBus,
  MessageDispatchJob,
  MessageDispatchJobSpec,
  MicroBatcher,
  QueueName,
  addJobsAndPublish,
  dispatchJobFor,
  withinDeadline,
} from '@app/core';
import { MessageView } from '../model/message.view';
import { MessageEvents } from '../model/message-events';
import { Message } from '../model/message.entity';

/**
 * The longest an accept waits for Redis to take its jobs before answering without them (the
 * reconciler enqueues them). Redis answers in a millisecond; a batch of 2,000 jobs takes ~0.1 s.
 */
const ENQUEUE_DEADLINE_MS = 2_000;

/** The dispatch jobs of stored messages, and the events that announce the messages. */
interface Enqueueing {
  jobs: MessageDispatchJobSpec[];
  events: DomainEvent[];
}

/**
 * Hands committed messages to the worker: one dispatch job each (its id the message's), with their
 * `message.created` events. Whoever stores outbound messages (an API request, a group relay)
 * calls it after the commit.
 */
@Injectable()
export class MessageEnqueuer {
  private readonly logger = new Logger(MessageEnqueuer.name);

  /**
   * The jobs of the requests of the moment, added in one round trip, then their `message.created`
   * events on the same connection (job ids are message ids, so adding one again after a failed
   * batch is harmless; its event may then be heard twice, which listeners of a notification
   * tolerate).
   */
  private readonly jobAdds = new MicroBatcher<Enqueueing, void>(
    async (groups) => {
      await addJobsAndPublish(
        this.queue,
        groups.flatMap((group) => group.jobs),
        this.bus.publications(groups.flatMap((group) => group.events)),
      );
      return groups.map(() => undefined);
    },
    { weight: (group) => group.jobs.length, maxWeight: 2000 },
  );

  constructor(
    @InjectQueue(QueueName.MessageDispatch) private readonly queue: Queue<MessageDispatchJob>,
    private readonly events: MessageEvents,
    private readonly bus: EventBus,
  ) {}

  /**
   * After the commit: the jobs, then the `message.created` events on the same Redis connection.
   * If Redis refuses, or is unreachable, or slower than ENQUEUE_DEADLINE_MS, the messages are
   * still safe in PostgreSQL and the reconciler enqueues them; the caller's answer does not
   * change.
   */
  async enqueue(
    messages: Message[],
    views: MessageView[] = messages.map(MessageView.from),
    now = Date.now(),
  ): Promise<void> {
    if (messages.length === 0) return;
    const jobs = messages.map((message) =>
      dispatchJobFor(
        message.id,
        message.scheduledAt ? Math.max(0, message.scheduledAt.getTime() - now) : undefined,
      ),
    );
    try {
      // Fails at once while Redis is unreachable (addJobsAndPublish); the deadline bounds the
      // rest, e.g. a connection that dropped with the jobs in flight.
      await withinDeadline(
        this.jobAdds.submit({ jobs, events: this.events.createdEvents(messages, views) }),
        ENQUEUE_DEADLINE_MS,
        'Adding the dispatch jobs',
      );
    } catch (error) {
      this.logger.warn(
        { err: error, count: jobs.length },
        'Could not enqueue; the reconciler will pick these messages up',
      );
      // The events are sent only after the jobs; they still have their chance on their own.
      void this.events.created(messages, views);
    }
  }
}
