import { BullModule } from '@nestjs/bullmq';
import { Injectable, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig, DestinationPolicy, QueueName } from '@app/core';
import { MessageEvents } from './model/message-events';
import { IdempotencyService } from './outbound/idempotency.service';
import { MessageCreationHooks } from './model/message-creation-hooks';
import { MessageWithdrawals } from './model/message-withdrawals';
import { MessageChangeHooks } from './model/message-change-hooks';
import { Message } from './model/message.entity';
import { MessageRepository } from './model/message.repository';
import { PhoneDeliveryState } from './dispatch/phone-delivery-state.service';
import { MessageWaitService } from './outbound/message-wait.service';
import { MessagesService } from './outbound/messages.service';
import { ExternalRequestsService } from './outbound/external-requests.service';
import { NumberPoolService } from './inbound/number-pool.service';
import { MessageWaitSlots } from './outbound/message-wait-slots';
import { SendQuota } from './outbound/send-quota.service';
import { SealedMessageBodies } from './model/sealed-message-body';
import { InboundMessageRepository } from './inbound/inbound-message.repository';
import { InboundMessagesService } from './inbound/inbound-messages.service';
import { InboundTargets } from './inbound/inbound-targets';
import { NumberBindingRepository } from './inbound/number-binding.repository';
import { PossibleDuplicateSends } from './dispatch/possible-duplicate-sends';
import { MessageHistory } from './model/message-history.service';
import { OptOutsRepository } from './inbound/opt-outs.repository';
import { AutomaticMessageWriter } from './outbound/automatic-message-writer';
import { MessageEnqueuer } from './outbound/message-enqueuer';
import { StatusCallbacksService } from './dispatch/twilio/twilio-status-callbacks.service';
import { TwilioSignatureService } from './dispatch/twilio/twilio-signature.service';

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
    SealedMessageBodies,
    MessageCreationHooks,
    MessageWithdrawals,
    MessageChangeHooks,
    IdempotencyService,
    MessageWaitService,
    MessageWaitSlots,
    MessageEnqueuer,
    MessagesService,
    ExternalRequestsService,
    SendQuota,
    DestinationPolicy,
    StatusCallbacksService,
    TwilioSignatureService,
    ConsoleProviderWarning,
    PossibleDuplicateSends,
    PhoneDeliveryState,
    InboundMessageRepository,
    NumberBindingRepository,
    MessageHistory,
    OptOutsRepository,
    InboundTargets,
    AutomaticMessageWriter,
    InboundMessagesService,
  ],
  exports: [
    MessageDispatchQueue,
    PossibleDuplicateSends,
    MessageHistory,
    PhoneDeliveryState,
    MessageRepository,
    MessageEvents,
    NumberPoolService,
    SealedMessageBodies,
    MessageCreationHooks,
    MessageWithdrawals,
    MessageChangeHooks,
    IdempotencyService,
    MessagesService,
    ExternalRequestsService,
    SendQuota,
    DestinationPolicy,
    StatusCallbacksService,
    TwilioSignatureService,
    InboundTargets,
    AutomaticMessageWriter,
    InboundMessagesService,
  ],
})
export class MessagingModule {}
