import { Column, Entity, PrimaryColumn } from 'typeorm';
import { MessageDirection, MessageStatus, RequestedRoute } from './message-status';

@Entity('messages')
export class Message {
  @PrimaryColumn('uuid')
  id: string;

  /** NULL for system messages (sign-in codes), which belong to no account. */
  @Column('uuid', { nullable: true })
  accountId: string | null;

  @Column('text')
  direction: MessageDirection;

  @Column('text', { nullable: true })
  fromNumber: string | null;

  @Column('text')
  toNumber: string;

  /** The other party: `to` for outbound, `from` for inbound. */
  @Column('text')
  peer: string;

  @Column('text')
  body: string;

  @Column('text')
  encoding: string;

  @Column('integer')
  segments: number;

  @Column('text')
  status: MessageStatus;

  @Column('text')
  routeRequested: RequestedRoute;

  /** The route that actually carried it: twilio, console or device. */
  @Column('text', { nullable: true })
  route: string | null;

  @Column('uuid', { nullable: true })
  requestedDeviceId: string | null;

  @Column('uuid', { nullable: true })
  deviceId: string | null;

  /** The SIM the client asked for (route `device`); null: any SIM of the phone. */
  @Column('smallint', { nullable: true })
  requestedSimNumber: number | null;

  /** The SIM the phone was told to send from; null when it reported none (its default SIM). */
  @Column('smallint', { nullable: true })
  simNumber: number | null;

  @Column('text', { nullable: true })
  providerMessageId: string | null;

  @Column('text', { nullable: true })
  errorCode: string | null;

  @Column('text', { nullable: true })
  errorMessage: string | null;

  @Column('integer')
  attempts: number;

  /**
   * A sign-in code: `body` is only what may be shown (the code masked); the real text travels
   * sealed in `sealedBody` until it is sent, failed or expired, then is dropped.
   */
  @Column('boolean')
  sensitive: boolean;

  /** See SealedMessageBodies; null for every message but an unsent sensitive one. */
  @Column('text', { nullable: true })
  sealedBody: string | null;

  /**
   * Its `from` is a number the account already holds a binding for (an automatic message: a group
   * relay, a help answer): checked at dispatch, never bound anew. See NumberPoolService.senderOf.
   */
  @Column('boolean')
  senderFromBinding: boolean;

  @Column('text', { nullable: true })
  sessionId: string | null;

  /**
   * The id a client gave a request to several recipients (the SMS Gateway for Android client
   * API): shared by every message of the request. See ExternalRequestsService.
   */
  @Column('text', { nullable: true })
  externalId: string | null;

  /** Group chat traffic; kept out of 1:1 conversations. */
  @Column('uuid', { nullable: true })
  groupId: string | null;

  @Column('timestamptz', { nullable: true })
  scheduledAt: Date | null;

  @Column('timestamptz', { nullable: true })
  expiresAt: Date | null;

  @Column('timestamptz')
  createdAt: Date;

  @Column('timestamptz')
  updatedAt: Date;

  @Column('timestamptz', { nullable: true })
  sendingAt: Date | null;

  @Column('timestamptz', { nullable: true })
  sentAt: Date | null;

  @Column('timestamptz', { nullable: true })
  deliveredAt: Date | null;

  @Column('timestamptz', { nullable: true })
  failedAt: Date | null;

  @Column('timestamptz', { nullable: true })
  canceledAt: Date | null;

  @Column('timestamptz', { nullable: true })
  expiredAt: Date | null;
}
