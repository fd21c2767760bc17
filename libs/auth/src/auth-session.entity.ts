import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type SessionRevocationReason = 'logout' | 'refresh_token_reused' | 'password_changed';

/**
 * One sign-in: the family of refresh tokens rotated from it. The hash of the current refresh token
 * is kept here, those of the tokens it rotated away in auth_retired_refresh_tokens: one of those
 * that comes back is a reused (stolen) one.
 */
@Entity('auth_sessions')
export class AuthSession {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  accountId: string;

  /** SHA-256 of the current refresh token, hex. */
  @Column('char', { length: 64 })
  refreshTokenHash: string;

  @Column('integer', { default: 0 })
  rotations: number;

  @Column('text', { nullable: true })
  userAgent: string | null;

  @Column('text', { nullable: true })
  ip: string | null;

  @Column('timestamptz')
  createdAt: Date;

  @Column('timestamptz', { nullable: true })
  lastRefreshedAt: Date | null;

  /** When the holder last proved who they are (code or password): the sign-in, or a later proof. */
  @Column('timestamptz')
  lastVerifiedAt: Date;

  /** When the current refresh token stops working; every rotation moves it forward. */
  @Column('timestamptz')
  expiresAt: Date;

  @Column('timestamptz', { nullable: true })
  revokedAt: Date | null;

  @Column('text', { nullable: true })
  revokedReason: SessionRevocationReason | null;
}
