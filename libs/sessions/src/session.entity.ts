import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A client-chosen conversation thread: created by the first message naming it. */
@Entity('sessions')
export class Session {
  @PrimaryColumn('uuid')
  accountId: string;

  @PrimaryColumn('text')
  id: string;

  @Column('integer')
  messageCount: number;

  @Column('timestamptz')
  createdAt: Date;

  @Column('timestamptz')
  lastActivityAt: Date;

  @Column('timestamptz', { nullable: true })
  closedAt: Date | null;
}
