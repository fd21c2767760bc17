import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { SimCard } from './sim-cards';

/** An Android phone of an account, sending and receiving SMS over `/ws/devices` (docs/device-protocol.md). */
@Entity('devices')
export class Device {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  accountId: string;

  @Column('text')
  name: string;

  /** The first characters of the token, shown so that a user can tell tokens apart. */
  @Column('text')
  tokenPrefix: string;

  /** SHA-256 of the whole token, hex. The token itself is never stored. */
  @Column('char', { length: 64, select: false })
  tokenHash: string;

  /** A disabled device stays connected but is given nothing to send. */
  @Column('boolean')
  enabled: boolean;

  /** NULL: the server default (DEVICE_DEFAULT_SEND_RATE_PER_MINUTE). */
  @Column('integer', { nullable: true })
  sendRatePerMinute: number | null;

  // What the phone last said about itself (hello, status): shown while it is offline.
  @Column('text', { nullable: true })
  model: string | null;

  @Column('text', { nullable: true })
  androidVersion: string | null;

  @Column('text', { nullable: true })
  appVersion: string | null;

  @Column('text', { nullable: true })
  phoneNumber: string | null;

  /** The SIM cards it last reported, in SIM number order; empty: it never said. */
  @Column('jsonb')
  simCards: SimCard[];

  @Column('integer', { nullable: true })
  battery: number | null;

  @Column('boolean', { nullable: true })
  charging: boolean | null;

  @Column('integer', { nullable: true })
  signal: number | null;

  /** How the phone is connected, as SMS Gateway for Android's pings say: wifi, ethernet, cellular, none. */
  @Column('text', { nullable: true })
  network: string | null;

  @Column('timestamptz', { nullable: true })
  lastSeenAt: Date | null;

  @Column('timestamptz')
  createdAt: Date;

  @Column('timestamptz')
  updatedAt: Date;

  /**
   * The key the phone signs its webhooks with (SMS Gateway for Android), encrypted with
   * SecretCipher bound to the device id; NULL until the phone first asks for its settings.
   */
  @Column('text', { nullable: true, select: false })
  webhookSigningKey: string | null;

  /** Set by DELETE: the token stops working; the row stays for the messages that name it. */
  @Column('timestamptz', { nullable: true, select: false })
  deletedAt: Date | null;
}
