import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The one live sign-in code of a phone (a new code replaces the row). The code itself is never stored. */
@Entity('auth_codes')
export class AuthCode {
  @PrimaryColumn('text')
  phone: string;

  /** HMAC-SHA-256 of phone and code, hex (see sign-in-code.ts for why keyed). */
  @Column('char', { length: 64 })
  codeHash: string;

  @Column('integer', { default: 0 })
  failedAttempts: number;

  /** The name given to POST /auth/register, applied when the code creates the account. */
  @Column('text', { nullable: true })
  pendingName: string | null;

  @Column('text', { nullable: true })
  pendingPasswordHash: string | null;

  @Column('timestamptz')
  createdAt: Date;

  @Column('timestamptz')
  expiresAt: Date;
}
