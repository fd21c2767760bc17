import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Page, PageRequest } from '@app/core';
import { Message } from './message.entity';
import { MessageStatus } from './message-status';
import { MessageRepository } from './message.repository';

/**
 * What the libs and apps built on messaging read of the messages: threads, groups, sessions and
 * metrics.
 */
@Injectable()
export class MessageHistory {
  constructor(private readonly messages: MessageRepository) {}

  /**
   * What members said to a group (by SMS or from the app), newest first, from `since` on: a
   * member reads from the moment they joined. `since` is PostgreSQL's text of a timestamptz, to
   * the microsecond (a Date would round to the millisecond and let in the texts just before it).
   */
  groupTexts(groupId: string, since: string, request: PageRequest): Promise<Page<Message>> {
    return this.messages.listGroupTexts(groupId, since, request);
  }

  /** The last message with each peer (group traffic aside), most recent first. */
  latestPerPeer(accountId: string, request: PageRequest): Promise<Page<Message>> {
    return this.messages.listLatestPerPeer(accountId, request);
  }

  /** Texts received from each peer after a moment (PostgreSQL's text of a timestamptz; null: ever). */
  receivedAfter(
    accountId: string,
    since: ReadonlyArray<{ peer: string; after: string | null }>,
  ): Promise<Map<string, number>> {
    return this.messages.countReceivedAfter(accountId, since);
  }

  /** The sessions that talked with `peer`, in the caller's transaction. */
  sessionsWithPeer(manager: EntityManager, accountId: string, peer: string): Promise<string[]> {
    return this.messages.findSessionsWithPeer(manager, accountId, peer);
  }

  /** Outbound messages not yet handed to a provider, by status (for the metrics). */
  unfinishedByStatus(): Promise<Map<MessageStatus, number>> {
    return this.messages.countUnfinishedByStatus();
  }

  /** The account's messages among `messageIds` (what a phone pulls or reports on). */
  findManyOwned(accountId: string, messageIds: string[]): Promise<Message[]> {
    return this.messages.findManyOwned(accountId, messageIds);
  }

  findById(messageId: string): Promise<Message | null> {
    return this.messages.findById(messageId);
  }
}
