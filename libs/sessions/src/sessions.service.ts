import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { NotFoundAppException, Page, PaginationQueryDto, Keyset, mapPage } from '@app/core';
import { MessageView, MessagesService } from '@app/messaging';
import { Session } from './session.entity';
import { SessionView } from './session.view';

const MOST_RECENTLY_ACTIVE_FIRST = new Keyset({
  sortKey: 'session.last_activity_at',
  sortKeyType: 'timestamptz',
  id: 'session.id',
  idType: 'text',
  direction: 'DESC',
});

@Injectable()
export class SessionsService {
  constructor(
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    private readonly messages: MessagesService,
  ) {}

  /** Most recently active first. */
  async list(accountId: string, query: PaginationQueryDto): Promise<Page<SessionView>> {
    const page = await MOST_RECENTLY_ACTIVE_FIRST.pageOf(
      this.sessions
        .createQueryBuilder('session')
        .where('session.account_id = :accountId', { accountId }),
      query,
    );
    return mapPage(page, SessionView.from);
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
