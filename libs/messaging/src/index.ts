// What other libs and the apps use of messaging; everything else stays inside.
export { MessagingModule } from './messaging.module';
export { MessageDispatchModule } from './dispatch/message-dispatch.module';

// The message model.
export { Message } from './model/message.entity';
export { MessageStatus, RequestedRoute } from './model/message-status';
export type { MessageDraft } from './model/message.repository';
export { MessageView } from './model/message.view';
export { MessageHistory } from './model/message-history.service';
export { MessageCreationHooks } from './model/message-creation-hooks';
export type { MessageCreationHook } from './model/message-creation-hooks';
export { MessageWithdrawals } from './model/message-withdrawals';
export type { MessageWithdrawer } from './model/message-withdrawals';
export { MessageChangeHooks } from './model/message-change-hooks';
export type { AfterCommit, MessageChangeHook } from './model/message-change-hooks';

// Outbound: accepting messages, and the ones Switchboard sends on its own.
export { MessagesService } from './outbound/messages.service';
export { ExternalRequestsService } from './outbound/external-requests.service';
export type {
  ExternalRequest,
  ExternalRequestInput,
  ExternalRequestPage,
} from './outbound/external-requests.service';
export type { RequestListFilter } from './model/message.repository';
export { PROGRESS_OF_STATUS } from './model/request-progress';
export type { RequestProgress } from './model/request-progress';
export { ListMessagesQuery, SendOptionsQuery } from './outbound/list-messages.query';
export { MAX_BODY_LENGTH, SendBatchDto, SendMessageDto } from './outbound/send-message.dto';
export type { IdempotentResult } from './outbound/idempotency.service';
export { AutomaticMessageWriter } from './outbound/automatic-message-writer';
export type { AutomaticMessage } from './outbound/automatic-message-writer';
export { SendQuota } from './outbound/send-quota.service';
export type {
  QuotaReservation,
  SendLimits,
  SendLimitsLookup,
  SendQuotaStatus,
} from './outbound/send-quota.service';
export { measureSms } from './model/sms-encoding';

// Dispatch: routes other libs add, phones' delivery state, the worker's side.
export { RouteRegistry } from './dispatch/route-registry';
export { DispatchError, SendLaterError } from './dispatch/sms-route';
export type { DispatchOutcome, SmsRoute } from './dispatch/sms-route';
export { PossibleDuplicateSends } from './dispatch/possible-duplicate-sends';
export { PhoneDeliveryState } from './dispatch/phone-delivery-state.service';
export { MessageDispatchService } from './dispatch/message-dispatch.service';
export { MessageReconcilerService } from './dispatch/message-reconciler.service';
export { TwilioSignatureService } from './dispatch/twilio/twilio-signature.service';
export { StatusCallbacksService } from './dispatch/twilio/twilio-status-callbacks.service';

// Inbound: intake, number bindings and the targets other libs register.
export { InboundMessagesService } from './inbound/inbound-messages.service';
export { InboundTargets } from './inbound/inbound-targets';
export type { InboundHandling, InboundTargetHandler } from './inbound/inbound-targets';
export { NumberPoolService } from './inbound/number-pool.service';
export type { NumberBinding } from './inbound/number-binding.repository';
