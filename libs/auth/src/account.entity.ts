import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** `operator`: made by `npm run account:create`; `sign_up`: made by a phone signing up. */
export type AccountOrigin = 'operator' | 'sign_up';

@Entity('accounts')
export class Account {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Empty for a phone account created by a bare code sign-in until its owner names it. */
  @Column('text')
  name: string;

  /** E.164; null for server-to-server accounts made by `account:create`, which use API keys. */
  @Column('text', { nullable: true, unique: true })
  phone: string | null;

  @Column('timestamptz', { nullable: true })
  phoneVerifiedAt: Date | null;

  /** argon2id (PHC string), or null when the account signs in by code only. Never selected by default. */
  @Column('text', { nullable: true, select: false })
  passwordHash?: string | null;

  /** Computed by PostgreSQL from password_hash. */
  @Column({ type: 'boolean', insert: false, update: false })
  hasPassword: boolean;

  /** How the account came to be, which decides its default send limits. */
  @Column('text', { default: 'sign_up' })
  origin: AccountOrigin;

  /** With `sendLimitsSetAt`: the limits the operator set (null = unlimited). */
  @Column('integer', { nullable: true })
  sendLimitPerMinute: number | null;

  @Column('integer', { nullable: true })
  sendLimitPerDay: number | null;

  /** Null while the defaults of `origin` apply. */
  @Column('timestamptz', { nullable: true })
  sendLimitsSetAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
