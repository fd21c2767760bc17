import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { Keyset, Page, PageRequest } from '@app/core';
import { Session } from './session.entity';

const MOST_RECENTLY_ACTIVE_FIRST = new Keyset({
  sortKey: 'session.last_activity_at',
  sortKeyType: 'timestamptz',
  id: 'session.id',
  idType: 'text',
  direction: 'DESC',
});

/** Every query on sessions, named by intent. */
@Injectable()
export class SessionRepository {
  constructor(@InjectRepository(Session) private readonly sessions: Repository<Session>) {}

  /** Most recently active first. */
  listOf(accountId: string, request: PageRequest): Promise<Page<Session>> {
    return MOST_RECENTLY_ACTIVE_FIRST.pageOf(
      this.sessions
        .createQueryBuilder('session')
        .where('session.account_id = :accountId', { accountId }),
      request,
    );
  }

  findOne(accountId: string, sessionId: string): Promise<Session | null> {
    return this.sessions.findOneBy({ accountId, id: sessionId });
  }

  /** Closing twice keeps the first moment. */
  async close(accountId: string, sessionId: string): Promise<void> {
    await this.sessions
      .createQueryBuilder()
      .update()
      .set({ closedAt: () => 'COALESCE(closed_at, now())' })
      .where('account_id = :accountId AND id = :sessionId', { accountId, sessionId })
      .execute();
  }

  /**
   * Counts new messages into their sessions, creating the ones named for the first time, in the
   * caller's transaction; the ids of those that turn out closed.
   */
  async recordMessages(
    manager: EntityManager,
    accountId: string,
    countsById: ReadonlyMap<string, number>,
  ): Promise<string[]> {
    const ids = [...countsById.keys()];
    const rows: Array<{ id: string; closed_at: Date | null }> = await manager.query(
      `INSERT INTO sessions (account_id, id, message_count)
       SELECT $1, id, count FROM unnest($2::text[], $3::int[]) AS s(id, count)
       ON CONFLICT (account_id, id) DO UPDATE
         SET message_count = sessions.message_count + EXCLUDED.message_count,
             last_activity_at = now()
       RETURNING id, closed_at`,
      [accountId, ids, ids.map((id) => countsById.get(id))],
    );
    return rows.filter((row) => row.closed_at !== null).map((row) => row.id);
  }

  /** Counts a message into the most recently active open one of `sessionIds`; its id, if any. */
  async recordInLatestOpen(
    manager: EntityManager,
    accountId: string,
    sessionIds: readonly string[],
  ): Promise<string | null> {
    // An UPDATE through TypeORM answers [rows, affected count].
    const [rows]: [Array<{ id: string }>, number] = await manager.query(
      `UPDATE sessions SET message_count = message_count + 1, last_activity_at = now()
       WHERE (account_id, id) = (
         SELECT s.account_id, s.id FROM sessions s
         WHERE s.account_id = $1 AND s.closed_at IS NULL AND s.id = ANY($2::text[])
         ORDER BY s.last_activity_at DESC, s.id DESC LIMIT 1)
       RETURNING id`,
      [accountId, sessionIds],
    );
    return rows[0]?.id ?? null;
  }
}
