import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppException, replaceNulCharacters, toE164 } from '@app/core';
import { MessageEvents } from '../model/message-events';
import { MessageCreationHooks } from '../model/message-creation-hooks';
import { AfterCommit, MessageChangeHooks } from '../model/message-change-hooks';
import { Message } from '../model/message.entity';
import { MessageDraft, MessageRepository } from '../model/message.repository';
import { MessageStatus, RequestedRoute } from '../model/message-status';
import { measureSms } from '../model/sms-encoding';
import { QuotaReservation, SendQuota } from '../outbound/send-quota.service';
import { InboundMessageRepository } from './inbound-message.repository';
import { InboundTargetHandler, InboundTargets } from './inbound-targets';
import {
  CONVERSATION_TARGET,
  NumberBinding,
  NumberBindingRepository,
} from './number-binding.repository';
import { keywordActionOf } from './opt-out-keywords';
import { OptOutsRepository } from './opt-outs.repository';
import { AutomaticMessage, AutomaticMessageWriter } from '../outbound/automatic-message-writer';

/** One inbound SMS, from whichever channel received it. */
export interface InboundSms {
  /** `app`: a member posting to a group from the API, relayed exactly like their SMS would be. */
  source: 'twilio' | 'device' | 'app';
  /** The device id for `device`; unused for `twilio`. */
  sourceId?: string;
  /** The channel's own id of this message (Twilio's MessageSid, the device's frame id). */
  externalId: string;
  /** Known for `device` (the phone belongs to an account); found by number binding for `twilio`. */
  accountId?: string;
  from: string;
  /** The number that received it: a pool number, or the device's own number when known. */
  to: string | null;
  body: string;
  receivedAt?: Date;
  /** For `device`: the SIM it arrived on (1-based), when the phone says. */
  simNumber?: number;
}

export interface InboundResult {
  messageId: string;
  duplicate: boolean;
  accountId: string | null;
  /** The sender as stored (the message's peer); absent for a duplicate. */
  peer?: string;
}

export const HELP_TEXT =
  'Switchboard: reply STOP to stop messages from this sender, START to resume. Msg&data rates may apply.';

/**
 * The inbound pipeline: Twilio webhooks and phones' `inbound` frames both
 * land here. Opt-out keywords first, then routing by number binding to exactly one owner; stored
 * once per channel id, with every automatic message (relays, help answers) in the same transaction.
 */
@Injectable()
export class InboundMessagesService {
  private readonly logger = new Logger(InboundMessagesService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly automaticMessages: AutomaticMessageWriter,
    private readonly inbound: InboundMessageRepository,
    private readonly optOuts: OptOutsRepository,
    private readonly hooks: MessageCreationHooks,
    private readonly targets: InboundTargets,
    private readonly events: MessageEvents,
    private readonly bindings: NumberBindingRepository,
    private readonly messages: MessageRepository,
    private readonly quota: SendQuota,
    private readonly changeHooks: MessageChangeHooks,
  ) {}

  async receive(received: InboundSms): Promise<InboundResult> {
    const sms = storable(received);
    const inboundKey =
      sms.source === 'device'
        ? `device:${sms.sourceId}:${sms.externalId}`
        : `${sms.source}:${sms.externalId}`;
    const existing = await this.inbound.findByInboundKey(this.dataSource.manager, inboundKey);
    if (existing) return { messageId: existing.id, duplicate: true, accountId: existing.accountId };

    const from = toE164(sms.from) ?? sms.from.trim();
    const to = sms.to ? (toE164(sms.to) ?? sms.to.trim()) : null;
    const reservations: QuotaReservation[] = [];
    const outcome = await this.dataSource
      .transaction(async (manager) => {
        const binding =
          sms.source !== 'device' && to ? await this.bindings.findByPair(from, to, manager) : null;
        const accountId = sms.accountId ?? binding?.accountId ?? null;
        const draft = this.draftOf(sms, from, to, accountId);
        const handler = binding ? this.targets.handlerFor(binding.targetType) : undefined;
        if (accountId && (handler?.runsCreationHooks ?? true)) {
          await this.hooks.runInbound(manager, accountId, draft);
        }
        const stored = await this.inbound.insertOnce(manager, draft, inboundKey, {
          route: sms.source,
          deviceId: sms.source === 'device' ? (sms.sourceId ?? null) : null,
          simNumber: sms.source === 'device' ? (sms.simNumber ?? null) : null,
        });
        if (!stored) return null; // a concurrent replay won the race
        const automatic = accountId
          ? await this.automaticMessagesFor(manager, stored, binding, handler, sms, reservations)
          : [];
        const queued = await this.automaticMessages.store(manager, automatic);
        const afterCommit: AfterCommit | undefined = this.changeHooks.concerns(
          stored.accountId,
          MessageStatus.Received,
        )
          ? await this.changeHooks.changed(manager, [stored])
          : undefined;
        return { stored, queued, afterCommit };
      })
      .catch(async (error: unknown) => {
        for (const reservation of reservations) {
          await this.quota.release(reservation).catch(() => undefined);
        }
        throw error;
      });

    if (!outcome) {
      const winner = await this.inbound.findByInboundKey(this.dataSource.manager, inboundKey);
      return { messageId: winner!.id, duplicate: true, accountId: winner!.accountId };
    }
    if (!outcome.stored.accountId) {
      this.logger.warn(
        { messageId: outcome.stored.id, from, to, source: sms.source },
        'Inbound SMS matches no number binding; stored as unrouted',
      );
    }
    await outcome.afterCommit?.();
    await this.events.created([outcome.stored]);
    await this.automaticMessages.dispatch(outcome.queued);
    return {
      messageId: outcome.stored.id,
      duplicate: false,
      accountId: outcome.stored.accountId,
      peer: outcome.stored.peer,
    };
  }

  /** Keywords first (they apply to the whole account), then the binding's own target. */
  private async automaticMessagesFor(
    manager: EntityManager,
    inbound: Message,
    binding: NumberBinding | null,
    handler: InboundTargetHandler | undefined,
    sms: InboundSms,
    reservations: QuotaReservation[],
  ): Promise<AutomaticMessage[]> {
    const accountId = inbound.accountId!;
    // Keywords are a carrier convention for texts; a post from the app is just a message.
    const keyword = sms.source === 'app' ? null : keywordActionOf(inbound.body);
    if (keyword?.action === 'opt-out') {
      await this.optOuts.optOut(manager, accountId, inbound.peer, keyword.keyword);
      return [];
    }
    if (keyword?.action === 'opt-in') {
      await this.optOuts.optIn(manager, accountId, inbound.peer);
      return [];
    }
    if (keyword?.action === 'help') {
      return [
        {
          accountId,
          to: inbound.peer,
          from: binding?.poolNumber ?? null,
          body: HELP_TEXT,
          route: sms.source === 'device' ? RequestedRoute.Device : RequestedRoute.Twilio,
          requestedDeviceId: sms.source === 'device' ? (sms.sourceId ?? null) : null,
        },
      ];
    }
    if (binding && binding.targetType !== CONVERSATION_TARGET) {
      if (!handler) {
        this.logger.warn(
          { bindingId: binding.id },
          `No handler for ${binding.targetType} bindings`,
        );
        return [];
      }
      const handling = await handler.handle(manager, binding, inbound);
      if (handling.groupId) {
        await this.messages.assignToGroup(manager, inbound.id, handling.groupId);
        inbound.groupId = handling.groupId;
      }
      return this.chargedToWriter(
        manager,
        accountId,
        handling.automaticMessages,
        sms,
        reservations,
      );
    }
    return [];
  }

  /**
   * What a target relays (a member's text to the rest of the group) is its writer's sending: the
   * relays' segments count against the account the text came from. Over quota, a post from the
   * app is refused (429, nothing stored); an SMS, already received, is kept but not relayed.
   */
  private async chargedToWriter(
    manager: EntityManager,
    accountId: string,
    relays: AutomaticMessage[],
    sms: InboundSms,
    reservations: QuotaReservation[],
  ): Promise<AutomaticMessage[]> {
    if (relays.length === 0) return relays;
    const segments = relays.reduce((sum, relay) => sum + measureSms(relay.body).segments, 0);
    try {
      const reservation = await this.quota.reserve(accountId, segments, manager);
      if (reservation) reservations.push(reservation);
      return relays;
    } catch (error) {
      const refused =
        error instanceof AppException &&
        error.code.startsWith('SEND_QUOTA_') &&
        sms.source !== 'app';
      if (!refused) throw error;
      this.logger.warn(
        { accountId, segments, code: error.code },
        'Not relayed: its writer is over their sending quota',
      );
      return [];
    }
  }

  private draftOf(
    sms: InboundSms,
    from: string,
    to: string | null,
    accountId: string | null,
  ): MessageDraft {
    const { encoding, segments } = measureSms(sms.body);
    return {
      accountId,
      direction: 'inbound',
      fromNumber: from,
      toNumber: to ?? '',
      peer: from,
      body: sms.body,
      encoding,
      segments,
      status: MessageStatus.Received,
      routeRequested: sms.source === 'device' ? RequestedRoute.Device : RequestedRoute.Auto,
      requestedDeviceId: sms.source === 'device' ? (sms.sourceId ?? null) : null,
      sensitive: false,
      sessionId: null,
      scheduledAt: null,
      expiresAt: null,
    };
  }
}

/**
 * The texts of an SMS as PostgreSQL can store them: a carrier or a phone may hand us a NUL
 * character, which no text column takes. Refusing would lose the message (Twilio retries the
 * webhook in vain), so each NUL is replaced instead.
 */
function storable(sms: InboundSms): InboundSms {
  return {
    ...sms,
    externalId: replaceNulCharacters(sms.externalId),
    from: replaceNulCharacters(sms.from),
    to: sms.to === null ? null : replaceNulCharacters(sms.to),
    body: replaceNulCharacters(sms.body),
  };
}
