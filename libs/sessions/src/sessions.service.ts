import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import {
  DEFAULT_PAGE_SIZE,
  NotFoundAppException,
  Page,
  PaginationQueryDto,
  decodeCursor,
  toPage,
} from '@app/core';
import { MessageView, MessagesService } from '@app/messaging';
import { Session } from './session.entity';
import { SessionView } from './session.view';

@Injectable()
export class SessionsService {
  constructor(
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    private readonly messages: MessagesService,
  ) {}

  /** Most recently active first. */
  async list(accountId: string, query: PaginationQueryDto): Promise<Page<SessionView>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const builder = this.sessions
      .createQueryBuilder('session')
      .where('session.account_id = :accountId', { accountId })
      .orderBy('session.last_activity_at', 'DESC')
      .addOrderBy('session.id', 'DESC')
      // To the microsecond (a JS Date keeps milliseconds only): the cursor's position.
      .addSelect('session.last_activity_at::text', 'cursor_at')
      .limit(limit + 1);
    if (query.cursor) {
      const after = decodeCursor(query.cursor, { sortKey: 'timestamp' });
      builder.andWhere(
        '(session.last_activity_at, session.id) < (CAST(:sortKey AS timestamptz), :id)',
        after,
      );
    }
    const { entities, raw } = await builder.getRawAndEntities<{ cursor_at: string }>();
    const rows = entities.map((session, index) => ({ session, cursorAt: raw[index].cursor_at }));
    return toPage(
      rows,
      limit,
      (row) => ({ sortKey: row.cursorAt, id: row.session.id }),
      (row) => SessionView.from(row.session),
    );
  }

  async get(accountId: string, sessionId: string): Promise<SessionView> {
    return SessionView.from(await this.findOrFail(accountId, sessionId));
  }

  /** Both directions, newest first. */
  async messagesOf(
    accountId: string,
    sessionId: string,
    query: PaginationQueryDto,
  ): Promise<Page<MessageView>> {
    await this.findOrFail(accountId, sessionId);
    return this.messages.list(accountId, { ...query, sessionId });
  }

  /** A closed session takes no new messages; closing twice is harmless. */
  async close(accountId: string, sessionId: string): Promise<SessionView> {
    await this.sessions
      .createQueryBuilder()
      .update()
      .set({ closedAt: () => 'COALESCE(closed_at, now())' })
      .where('account_id = :accountId AND id = :sessionId', { accountId, sessionId })
      .execute();
    return this.get(accountId, sessionId);
  }

  private async findOrFail(accountId: string, sessionId: string): Promise<Session> {
    const session = await this.sessions.findOneBy({ accountId, id: sessionId });
    if (!session) throw new NotFoundAppException('SESSION_NOT_FOUND', 'No such session.');
    return session;
  }
}
