import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

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

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
