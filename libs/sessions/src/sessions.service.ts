import { Injectable } from '@nestjs/common';
import { NotFoundAppException, Page, PaginationQueryDto, mapPage } from '@app/core';
import { MessageView, MessagesService } from '@app/messaging';
import { Session } from './session.entity';
import { SessionRepository } from './session.repository';
import { SessionView } from './session.view';

@Injectable()
export class SessionsService {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly messages: MessagesService,
  ) {}

  /** Most recently active first. */
  async list(accountId: string, query: PaginationQueryDto): Promise<Page<SessionView>> {
    return mapPage(await this.sessions.listOf(accountId, query), SessionView.from);
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
    await this.sessions.close(accountId, sessionId);
    return this.get(accountId, sessionId);
  }

  private async findOrFail(accountId: string, sessionId: string): Promise<Session> {
    const session = await this.sessions.findOne(accountId, sessionId);
    if (!session) throw new NotFoundAppException('SESSION_NOT_FOUND', 'No such session.');
    return session;
  }
}
