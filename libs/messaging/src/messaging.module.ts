import { BullModule } from '@nestjs/bullmq';
import { Injectable, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig, DestinationPolicy, QueueName } from '@app/core';
import { MessageEvents } from './events/message-events';
import { IdempotencyService } from './idempotency/idempotency.service';
import { MessageCreationHooks } from './message-creation-hooks';
import { Message } from './message.entity';
import { MessageRepository } from './message.repository';
import { MessageHandoverService } from './message-handover.service';
import { MessageWaitService } from './message-wait.service';
import { MessagesService } from './messages.service';
import { NumberPoolService } from './number-pool.service';
import { SendQuota } from './quota/send-quota.service';
import { InboundMessageRepository } from './inbound/inbound-message.repository';
import { InboundMessagesService } from './inbound/inbound-messages.service';
import { InboundTargets } from './inbound/inbound-targets';
import { OptOutsRepository } from './inbound/opt-outs.repository';
import { ReactionWriter } from './inbound/reaction-writer';
import { MessageEnqueuer } from './message-enqueuer';
import { StatusCallbacksService } from './status-callbacks.service';
import { TwilioSignatureService } from './webhooks/twilio-signature.service';

/** Without Twilio credentials nothing leaves the machine: say so where operators look first. */
@Injectable()
class ConsoleProviderWarning implements OnApplicationBootstrap {
  constructor(private readonly config: AppConfig) {}

  onApplicationBootstrap(): void {
    if (this.config.twilioConfigured) return;
    new Logger('Messaging').warn(
      '*** Twilio is not configured (TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN are empty): the console ' +
        'SMS provider only LOGS outbound messages and marks them sent. No SMS is really sent. ***',
    );
  }
}

/** The dispatch queue with its retry policy, declared once for producers and consumers. */
export const MessageDispatchQueue = BullModule.registerQueueAsync({
  name: QueueName.MessageDispatch,
  inject: [AppConfig],
  useFactory: (config: AppConfig) => ({
    defaultJobOptions: {
      attempts: config.get('DISPATCH_MAX_ATTEMPTS'),
      backoff: { type: 'exponential', delay: config.get('DISPATCH_BACKOFF_MS'), jitter: 0.5 },
      // Bounded history: the message row, not the job, is the record.
      removeOnComplete: { age: 3600, count: 10_000 },
      removeOnFail: { age: 24 * 3600, count: 10_000 },
    },
  }),
});

/** Accepting, reading and tracking messages: what the API process needs. */
@Module({
  imports: [TypeOrmModule.forFeature([Message]), MessageDispatchQueue],
  providers: [
    MessageRepository,
    MessageEvents,
    NumberPoolService,
    MessageCreationHooks,
    IdempotencyService,
    MessageWaitService,
    MessageEnqueuer,
    MessagesService,
    SendQuota,
    DestinationPolicy,
    StatusCallbacksService,
    TwilioSignatureService,
    ConsoleProviderWarning,
    MessageHandoverService,
    InboundMessageRepository,
    OptOutsRepository,
    InboundTargets,
    ReactionWriter,
    InboundMessagesService,
  ],
  exports: [
    MessageDispatchQueue,
    MessageHandoverService,
    MessageRepository,
    MessageEvents,
    NumberPoolService,
    MessageCreationHooks,
    IdempotencyService,
    MessagesService,
    SendQuota,
    DestinationPolicy,
    StatusCallbacksService,
    TwilioSignatureService,
    InboundTargets,
    ReactionWriter,
    InboundMessagesService,
  ],
})
export class MessagingModule {}
