import { InjectQueue } from '@nestjs/bullmq';
import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { DataSource, EntityManager } from 'typeorm';
import {
  ConflictAppException,
  DestinationPolicy,
  FieldError,
  MessageDispatchJob,
  NotFoundAppException,
  Page,
  QueueName,
  UnprocessableAppException,
  describePhoneNumber,
  toE164,
  mapPage,
  isUuid,
} from '@app/core';
import { MessageView } from '../model/message.view';
import { ListMessagesQuery } from './list-messages.query';
import { SendBatchDto, SendMessageDto } from './send-message.dto';
import { MessageEvents } from '../model/message-events';
import {
  COMMIT_TIME,
  IdempotencyKey,
  IdempotencyKeyHeld,
  IdempotencyService,
  IdempotentResult,
  StoredResponse,
} from './idempotency.service';
import { MessageCreationHooks } from '../model/message-creation-hooks';
import { MessageWithdrawals } from '../model/message-withdrawals';
import { MessageEnqueuer } from './message-enqueuer';
import { Message } from '../model/message.entity';
import {
  MessageDraft,
  MessageListFilter,
  MessageRepository,
  messageFromDraft,
} from '../model/message.repository';
import { MessageStatus, RequestedRoute } from '../model/message-status';
import { MessageWait, MessageWaitService, WAIT_SATISFYING_STATUSES } from './message-wait.service';
import { MessageWaitSlots } from './message-wait-slots';

import { NumberPoolService } from '../inbound/number-pool.service';
import { SealedMessageBodies } from '../model/sealed-message-body';
import { outboundDraft } from './outbound-draft';
import { SendQuota } from './send-quota.service';

export interface SendOptions {
  idempotencyKey?: string;
  /** Seconds to wait for the message to be sent or to fail before answering. */
  waitSeconds?: number;
  /** Ends the wait early: nobody is left to answer (the client disconnected). */
  signal?: AbortSignal;
}

export interface BatchOptions {
  idempotencyKey?: string;
  /**
   * One id for the whole batch, chosen by the client (see Message.externalId): it doubles as the
   * request's idempotency key (in place of `idempotencyKey`), and is refused once any message of
   * the account carries it.
   */
  externalId?: string;
  /**
   * What a retry must repeat to be replayed, when it is not the batch itself (a client's own
   * request, whose relative expiry the batch holds as a moment).
   */
  fingerprintOf?: unknown;
}

const ROUTES = Object.values(RequestedRoute) as string[];

// A scheduled time this close to now is simply "now".
const SCHEDULE_THRESHOLD_MS = 1000;

/** Messages stored and enqueued, with their views: built once, for the events and the answer. */
interface Accepted {
  messages: Message[];
  views: MessageView[];
}

/** The answer of an accept, from the views of its messages. */
type AnswerOf = (views: readonly unknown[]) => StoredResponse;

/** An accept under an Idempotency-Key: its answer is stored with its messages, in one commit. */
interface KeyedAccept {
  key: IdempotencyKey;
  answer: AnswerOf;
}

const acceptedOne: AnswerOf = (views) => ({ status: HttpStatus.ACCEPTED, body: views[0] });
const acceptedBatch: AnswerOf = (views) => ({ status: HttpStatus.ACCEPTED, body: { data: views } });

/** The view of a message about to be stored; the commit decides its times (COMMIT_TIME). */
function viewBeforeCommit(id: string, draft: MessageDraft): unknown {
  const view = MessageView.from(messageFromDraft(id, draft, new Date(0)));
  return { ...view, createdAt: COMMIT_TIME, updatedAt: COMMIT_TIME };
}

/** What the caller asked to send, turned into rows, or every reason why not. */
interface Drafting {
  drafts: MessageDraft[];
  errors: FieldError[];
}

/**
 * Accepting outbound messages (docs/architecture.md#outbound): validate, store (the 2xx answer means the
 * row is committed), enqueue one job per message. The worker does the rest.
 */
@Injectable()
export class MessagesService {
  private readonly logger = new Logger(MessagesService.name);

  constructor(
    private readonly messages: MessageRepository,
    @InjectQueue(QueueName.MessageDispatch) private readonly queue: Queue<MessageDispatchJob>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly numberPool: NumberPoolService,
    private readonly creationHooks: MessageCreationHooks,
    private readonly withdrawals: MessageWithdrawals,
    private readonly idempotency: IdempotencyService,
    private readonly waits: MessageWaitService,
    private readonly waitSlots: MessageWaitSlots,
    private readonly events: MessageEvents,
    private readonly enqueuer: MessageEnqueuer,
    private readonly quota: SendQuota,
    private readonly destinations: DestinationPolicy,
    private readonly sealedBodies: SealedMessageBodies,
  ) {}

  async send(
    accountId: string,
    request: SendMessageDto,
    options: SendOptions = {},
  ): Promise<IdempotentResult> {
    const waitSeconds = options.waitSeconds ?? 0;
    const key = this.keyOf(accountId, options.idempotencyKey, {
      single: request,
      wait: waitSeconds,
    });
    const keyed = key && { key, answer: acceptedOne };
    const work = async (): Promise<StoredResponse> => {
      const waitMs = waitSeconds * 1000;
      if (waitMs === 0) {
        const { views } = await this.create(accountId, [request], undefined, keyed);
        return acceptedOne(views);
      }
      // Refused before anything is stored: a 429 leaves no message behind.
      const slot = await this.waitSlots.acquire(accountId, waitMs);
      // Listen first: the worker may send the message before this request gets to wait for it.
      const listening = await this.waits
        .prepare(accountId, waitMs, options.signal)
        .catch((error: unknown) => {
          slot.release();
          throw error;
        });
      let wait: MessageWait | undefined;
      try {
        const {
          messages: [message],
        } = await this.create(
          accountId,
          [request],
          (created) => {
            wait = listening.watch(created[0].id);
          },
          keyed,
        );
        await wait!.done;
        const current = (await this.messages.findById(message.id)) ?? message;
        const settled = WAIT_SATISFYING_STATUSES.includes(current.status);
        const answer = {
          status: settled ? HttpStatus.OK : HttpStatus.ACCEPTED,
          body: MessageView.from(current),
        };
        if (key) {
          await this.idempotency.improveAnswer(key, answer).catch((error: unknown) => {
            this.logger.warn(
              { err: error },
              'Could not store the answer of a ?wait; a retry replays the 202',
            );
          });
        }
        return answer;
      } finally {
        listening.release();
        slot.release();
      }
    };
    return key ? this.idempotency.run(key, work) : { ...(await work()), replayed: false };
  }

  async sendBatch(
    accountId: string,
    request: SendBatchDto,
    options: BatchOptions = {},
  ): Promise<IdempotentResult> {
    const { externalId } = options;
    const key =
      externalId === undefined
        ? this.keyOf(accountId, options.idempotencyKey, { batch: request })
        : this.idempotency.keyOfExternalId(accountId, externalId, {
            batch: options.fingerprintOf ?? request,
          });
    const work = async (): Promise<StoredResponse> => {
      // Past the key's retention, the messages themselves still hold the id.
      if (
        externalId !== undefined &&
        (await this.messages.externalIdTaken(accountId, externalId))
      ) {
        throw new ConflictAppException(
          'MESSAGE_ID_TAKEN',
          `The id "${externalId}" was already given to other messages.`,
        );
      }
      const { views } = await this.create(
        accountId,
        request.messages,
        undefined,
        key && { key, answer: acceptedBatch },
        externalId,
      );
      return acceptedBatch(views);
    };
    return key ? this.idempotency.run(key, work) : { ...(await work()), replayed: false };
  }

  private keyOf(
    accountId: string,
    idempotencyKey: string | undefined,
    request: unknown,
  ): IdempotencyKey | undefined {
    return idempotencyKey === undefined
      ? undefined
      : this.idempotency.keyOf(accountId, idempotencyKey, request);
  }

  /**
   * A message from Switchboard itself (a sign-in code): no owning account, never through a phone.
   * `body` is sealed for the worker alone (see SealedMessageBodies); the row, its events and the
   * logs only ever show `shownBody`. Past `expiresAt` it is not sent.
   */
  async sendSystemMessage(input: {
    to: string;
    body: string;
    shownBody: string;
    expiresAt: Date;
  }): Promise<{ id: string }> {
    const to = toE164(input.to);
    if (!to)
      throw new UnprocessableAppException('INVALID_PHONE_NUMBER', 'Not a valid phone number.');
    this.destinations.requireAllowed(to, 'to');
    const {
      messages: [message],
    } = await this.insertAndEnqueue(null, [
      // Measured (segments, encoding) on the real text: that is what is sent.
      outboundDraft(null, to, input.body, {
        body: input.shownBody,
        sealedBody: this.sealedBodies.seal(input.body, to),
        routeRequested: RequestedRoute.Twilio,
        sensitive: true,
        expiresAt: input.expiresAt,
      }),
    ]);
    return { id: message.id };
  }

  async get(accountId: string, messageId: string): Promise<MessageView> {
    return MessageView.from(await this.findOwnedOrFail(accountId, messageId));
  }

  async list(
    accountId: string,
    query: ListMessagesQuery,
    scope: Pick<MessageListFilter, 'withoutGroupTraffic'> = {},
  ): Promise<Page<MessageView>> {
    const peer = query.peer ? (toE164(query.peer) ?? query.peer) : undefined;
    const page = await this.messages.listOwned(
      accountId,
      {
        status: query.status,
        direction: query.direction,
        peer,
        sessionId: query.sessionId,
        deviceId: query.deviceId,
        since: query.since ? new Date(query.since) : undefined,
        until: query.until ? new Date(query.until) : undefined,
        ...scope,
      },
      query,
    );
    return mapPage(page, MessageView.from);
  }

  /**
   * Only a message that has not started sending can be canceled, or one its route can still take
   * back (a phone that pulls its messages and has not pulled it: MessageWithdrawals).
   */
  async cancel(accountId: string, messageId: string): Promise<MessageView> {
    // Not a uuid: no such message (PostgreSQL would refuse to compare it with one, a 500).
    let canceled = isUuid(messageId)
      ? await this.messages.transition(messageId, MessageStatus.Canceled, { accountId })
      : null;
    if (!canceled) {
      const message = await this.findOwnedOrFail(accountId, messageId);
      canceled = await this.cancelWithdrawn(message);
      if (!canceled) {
        throw new ConflictAppException(
          'MESSAGE_NOT_CANCELABLE',
          `The message is ${message.status}; only queued or scheduled messages, or ones no phone has taken yet, can be canceled.`,
          { messageStatus: message.status },
        );
      }
    }
    // The job would skip it anyway; removing it just frees the queue sooner.
    await this.queue.remove(messageId).catch(() => undefined);
    await this.events.updated(canceled);
    return MessageView.from(canceled);
  }

  private async cancelWithdrawn(message: Message): Promise<Message | null> {
    if (message.status !== MessageStatus.Sending) return null;
    const withdrawer = await this.withdrawals.withdraw(message);
    if (!withdrawer) return null;
    const canceled = await this.messages.transition(message.id, MessageStatus.Canceled, {
      accountId: message.accountId!,
      from: [MessageStatus.Sending],
    });
    if (!canceled) await withdrawer.restore(message);
    return canceled;
  }

  private async findOwnedOrFail(accountId: string, messageId: string): Promise<Message> {
    const message = isUuid(messageId) ? await this.messages.findOwned(accountId, messageId) : null;
    if (!message) throw new NotFoundAppException('MESSAGE_NOT_FOUND', 'No such message.');
    return message;
  }

  private async create(
    accountId: string,
    requests: SendMessageDto[],
    beforeEnqueue?: (messages: Message[]) => void,
    keyed?: KeyedAccept,
    externalId?: string,
  ): Promise<Accepted> {
    const now = Date.now();
    const { drafts, errors } = this.draft(accountId, requests, now, externalId);
    if (errors.length > 0) {
      // One kind of mistake keeps its own code (INVALID_PHONE_NUMBER, INVALID_ROUTE…).
      const codes = new Set(errors.map((error) => error.code));
      throw new UnprocessableAppException(
        codes.size === 1 ? [...codes][0] : 'INVALID_MESSAGE',
        errors.map((error) => `${error.field}: ${error.message}`).join('; '),
        errors,
      );
    }
    await this.checkSenders(accountId, drafts);
    // The whole request or none of it: a batch reserves its total in one round trip.
    const segments = drafts.reduce((sum, draft) => sum + draft.segments, 0);
    const reservation = await this.quota.reserve(accountId, segments);
    try {
      return await this.insertAndEnqueue(accountId, drafts, beforeEnqueue, keyed);
    } catch (error) {
      await this.quota.release(reservation).catch(() => undefined);
      throw error;
    }
  }

  /**
   * A message that may go through Twilio goes out from a number the caller may use for its
   * recipient: 422 SENDER_NOT_AVAILABLE for a `from` that serves another conversation or group
   * with that phone, 409 NUMBER_POOL_EXHAUSTED when every number does. Nothing is bound here
   * (dispatch binds, see NumberPoolService.senderOf); a known conversation costs no query, the
   * rest of a request one.
   */
  private async checkSenders(accountId: string, drafts: MessageDraft[]): Promise<void> {
    if (this.numberPool.numbers.length === 0) return;
    const carried = drafts
      .map((draft, index) => ({ draft, index }))
      .filter(({ draft }) => draft.routeRequested !== RequestedRoute.Device);
    if (carried.length === 0) return;
    const problems = await this.numberPool.checkSenders(
      accountId,
      carried.map(({ draft }) => ({ to: draft.toNumber, from: draft.fromNumber })),
    );
    const prefix = (index: number) => (drafts.length > 1 ? `messages[${index}].` : '');
    const unavailable: FieldError[] = [];
    const exhausted: string[] = [];
    problems.forEach((problem, position) => {
      const { draft, index } = carried[position];
      if (problem === 'SENDER_NOT_AVAILABLE') {
        unavailable.push({
          field: `${prefix(index)}from`,
          code: problem,
          message: `${draft.fromNumber} serves another conversation or group with ${draft.toNumber}`,
        });
      } else if (problem === 'NUMBER_POOL_EXHAUSTED') {
        exhausted.push(draft.toNumber);
      }
    });
    if (unavailable.length > 0) {
      throw new UnprocessableAppException(
        'SENDER_NOT_AVAILABLE',
        unavailable.map((error) => `${error.field}: ${error.message}`).join('; '),
        unavailable,
      );
    }
    if (exhausted.length > 0) {
      throw new ConflictAppException(
        'NUMBER_POOL_EXHAUSTED',
        `Every pool number is already bound to ${[...new Set(exhausted)].join(', ')}; add numbers to TWILIO_PHONE_NUMBERS.`,
      );
    }
  }

  private async insertAndEnqueue(
    accountId: string | null,
    drafts: MessageDraft[],
    beforeEnqueue?: (messages: Message[]) => void,
    keyed?: KeyedAccept,
  ): Promise<Accepted> {
    const hooks = accountId ? this.creationHooks.applicableTo(drafts) : [];
    const insert = (manager?: EntityManager) =>
      keyed
        ? this.insertClaimingKey(drafts, keyed, manager)
        : this.messages.insertMany(drafts, manager);
    const messages =
      hooks.length === 0
        ? await insert()
        : await this.dataSource.transaction(async (manager) => {
            for (const hook of hooks) await hook.beforeInsert(manager, accountId!, drafts);
            return insert(manager);
          });
    beforeEnqueue?.(messages);
    const views = messages.map(MessageView.from);
    await this.enqueuer.enqueue(messages, views);
    return { messages, views };
  }

  /**
   * Stores the messages and, in the same statement, their answer under the request's key; throws
   * IdempotencyKeyHeld (rolling back the transaction it runs in) when the key is already taken.
   */
  private async insertClaimingKey(
    drafts: MessageDraft[],
    keyed: KeyedAccept,
    manager?: EntityManager,
  ): Promise<Message[]> {
    const inserted = await this.messages.insertManyClaimingKey(
      drafts,
      (ids) =>
        this.idempotency.claim(
          keyed.key,
          keyed.answer(drafts.map((draft, index) => viewBeforeCommit(ids[index], draft))),
        ),
      manager,
    );
    if (!inserted.claimed) throw new IdempotencyKeyHeld(inserted.held);
    return inserted.messages;
  }

  private draft(
    accountId: string,
    requests: SendMessageDto[],
    now: number,
    externalId?: string,
  ): Drafting {
    const drafts: MessageDraft[] = [];
    const errors: FieldError[] = [];
    requests.forEach((request, index) => {
      const prefix = requests.length > 1 ? `messages[${index}].` : '';
      const fail = (field: string, code: string, message: string) =>
        errors.push({ field: prefix + field, code, message });

      const destination = describePhoneNumber(request.to);
      const refusal = destination && this.destinations.refusalOf(destination);
      const to = refusal ? null : (destination?.e164 ?? null);
      if (!destination)
        fail('to', 'INVALID_PHONE_NUMBER', `"${request.to}" is not a valid E.164 phone number`);
      else if (refusal) fail('to', 'DESTINATION_NOT_ALLOWED', refusal);
      let from: string | null = null;
      if (request.from !== undefined) {
        from = toE164(request.from);
        if (!from)
          fail(
            'from',
            'INVALID_PHONE_NUMBER',
            `"${request.from}" is not a valid E.164 phone number`,
          );
        else if (this.numberPool.numbers.length > 0 && !this.numberPool.isPoolNumber(from)) {
          fail('from', 'SENDER_NOT_IN_POOL', `${from} is not one of this server's Twilio numbers`);
        }
      }
      let route = request.route ?? RequestedRoute.Auto;
      if (!ROUTES.includes(route)) {
        fail('route', 'INVALID_ROUTE', `route must be one of ${ROUTES.join(', ')}`);
      }
      if (request.deviceId) {
        if (route === RequestedRoute.Twilio) {
          fail('deviceId', 'ROUTE_CONFLICT', 'deviceId only goes with route "device"');
        }
        route = RequestedRoute.Device;
      }
      if (request.simNumber !== undefined) {
        if (route === RequestedRoute.Twilio) {
          fail('simNumber', 'ROUTE_CONFLICT', 'simNumber only goes with route "device"');
        }
        route = RequestedRoute.Device;
      }
      const scheduledAt = request.scheduledAt ? new Date(request.scheduledAt) : null;
      const expiresAt = request.expiresAt ? new Date(request.expiresAt) : null;
      if (expiresAt && expiresAt.getTime() <= now) {
        fail('expiresAt', 'INVALID_EXPIRY', 'expiresAt must be in the future');
      }
      if (expiresAt && scheduledAt && expiresAt <= scheduledAt) {
        fail('expiresAt', 'INVALID_EXPIRY', 'expiresAt must be after scheduledAt');
      }
      if (!to) return;
      const isScheduled =
        scheduledAt !== null && scheduledAt.getTime() > now + SCHEDULE_THRESHOLD_MS;
      drafts.push(
        outboundDraft(accountId, to, request.body, {
          fromNumber: from,
          status: isScheduled ? MessageStatus.Scheduled : MessageStatus.Queued,
          routeRequested: route,
          requestedDeviceId: request.deviceId ?? null,
          requestedSimNumber: request.simNumber ?? null,
          sessionId: request.sessionId ?? null,
          scheduledAt: isScheduled ? scheduledAt : null,
          expiresAt,
          externalId: externalId ?? null,
        }),
      );
    });
    return { drafts, errors };
  }
}
