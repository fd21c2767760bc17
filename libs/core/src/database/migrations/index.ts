import { AccountsAndApiKeys1763700000000 } from './1763700000000-accounts-and-api-keys';
import { MessagesAndSessions1763700100000 } from './1763700100000-messages-and-sessions';
import { PhoneSignIn1763700200000 } from './1763700200000-phone-sign-in';
import { Devices1763700300000 } from './1763700300000-devices';
import { InboundAndConversations1763700400000 } from './1763700400000-inbound-and-conversations';
import { Groups1763700500000 } from './1763700500000-groups';
import { SessionVerificationAndRetiredTokens1763700650000 } from './1763700650000-session-verification-and-retired-tokens';
import { MessagesSenderFromBinding1763700810000 } from './1763700810000-messages-sender-from-binding';
import { MessagesSealedBody1763700820000 } from './1763700820000-messages-sealed-body';
import { AccountSendLimits1764900000000 } from './1764900000000-account-send-limits';
import { PrivateGroups1763700937000 } from './1763700937000-private-groups';
import { IdempotencyAnswers1763700860000 } from './1763700860000-idempotency-answers';
import { Webhooks1763701000000 } from './1763701000000-webhooks';
import { DeviceSimCards1764910000000 } from './1764910000000-device-sim-cards';
import { MessagesSimNumber1764910100000 } from './1764910100000-messages-sim-number';
import { MessagesExternalId1765000000000 } from './1765000000000-messages-external-id';
import { DeviceWebhookSigningKeys1765000100000 } from './1765000100000-device-webhook-signing-keys';

/**
 * Every migration, oldest first. Listed by import rather than found by a file glob so that the
 * same list works from TypeScript (tests) and from the compiled output (npm start).
 */
export const ALL_MIGRATIONS = [
  AccountsAndApiKeys1763700000000,
  MessagesAndSessions1763700100000,
  PhoneSignIn1763700200000,
  Devices1763700300000,
  InboundAndConversations1763700400000,
  Groups1763700500000,
  SessionVerificationAndRetiredTokens1763700650000,
  MessagesSenderFromBinding1763700810000,
  MessagesSealedBody1763700820000,
  AccountSendLimits1764900000000,
  PrivateGroups1763700937000,
  IdempotencyAnswers1763700860000,
  Webhooks1763701000000,
  DeviceSimCards1764910000000,
  MessagesSimNumber1764910100000,
  MessagesExternalId1765000000000,
  DeviceWebhookSigningKeys1765000100000,
];
