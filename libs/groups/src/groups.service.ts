import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import {
  AppException,
  ConflictAppException,
  NotFoundAppException,
  Page,
  PaginationQueryDto,
  mapPage,
} from '@app/core';
import { AccountsService } from '@app/auth';
import {
  InboundMessagesService,
  Message,
  MessageHistory,
  NumberPoolService,
  AutomaticMessageWriter,
} from '@app/messaging';
import {
  GroupDetailView,
  GroupMessageView,
  GroupListingView,
  MembershipView,
  SearchGroupsQuery,
  normaliseGroupName,
} from './group.dto';
import { GROUP_MEMBER_TARGET, GroupMembership } from './group-membership';
import { GroupRepository, GroupRow } from './group.repository';

function toGroupMessageView(message: Message, senders: Map<string, string>): GroupMessageView {
  return {
    id: message.id,
    sender: (message.accountId && senders.get(message.accountId)) ?? 'someone',
    body: message.body,
    via: message.route === 'app' ? 'app' : 'sms',
    createdAt: message.createdAt.toISOString(),
  };
}

/**
 * Group SMS chat over the number pool: unique names, one pool number per member and group, joins
 * and leaves that are single transactions safe under concurrency.
 */
@Injectable()
export class GroupsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly groups: GroupRepository,
    private readonly membership: GroupMembership,
    private readonly accounts: AccountsService,
    private readonly numberPool: NumberPoolService,
    private readonly history: MessageHistory,
    private readonly automaticMessages: AutomaticMessageWriter,
    private readonly inbound: InboundMessagesService,
  ) {}

  /** The creator becomes the first member; a name in use is 409 and changes nothing. */
  async create(accountId: string, name: string): Promise<MembershipView> {
    const { membership, queued } = await this.dataSource.transaction(async (manager) => {
      const member = await this.membership.memberOf(manager, accountId);
      const created = await this.groups.insertGroup(manager, name, accountId);
      if (!created) {
        throw new ConflictAppException('GROUP_NAME_TAKEN', `The group name '${name}' is taken.`);
      }
      const joined = await this.membership.add(manager, created, member);
      const queued = await this.automaticMessages.store(manager, [joined.welcome]);
      return { membership: { group: name, number: joined.number }, queued };
    });
    await this.automaticMessages.dispatch(queued);
    return membership;
  }

  async join(accountId: string, rawName: string): Promise<MembershipView> {
    const { membership, queued } = await this.dataSource.transaction(async (manager) => {
      const member = await this.membership.memberOf(manager, accountId);
      // A shared lock: joins run side by side, but never alongside the last leave deleting it.
      const group = await this.lockGroup(manager, rawName, 'FOR SHARE');
      const joined = await this.membership.add(manager, group, member);
      const queued = await this.automaticMessages.store(manager, [joined.welcome]);
      return { membership: { group: group.name, number: joined.number }, queued };
    });
    await this.automaticMessages.dispatch(queued);
    return membership;
  }

  async leave(accountId: string, rawName: string): Promise<void> {
    const queued = await this.dataSource.transaction(async (manager) => {
      const group = await this.lockGroup(manager, rawName, 'FOR UPDATE');
      const memberId = await this.memberIdOf(group, accountId, manager);
      const { goodbye } = await this.membership.remove(manager, group, memberId);
      return this.automaticMessages.store(manager, goodbye ? [goodbye] : []);
    });
    await this.automaticMessages.dispatch(queued);
  }

  /** Names only: who is in a group, and how many, is not for anyone who searches. */
  async search(query: SearchGroupsQuery): Promise<Page<GroupListingView>> {
    const page = await this.groups.search(query.search, query);
    return mapPage(page, (row) => ({ name: row.name }));
  }

  /** Anyone sees a group's name and size; only its members see who is in it. */
  async get(accountId: string, rawName: string): Promise<GroupDetailView> {
    const group = await this.findGroup(rawName);
    const members = await this.groups.findMembers(group.id);
    const overview = { name: group.name, memberCount: members.length };
    if (!members.some((member) => member.account_id === accountId)) return overview;
    const names = await this.accounts.namesOf(members.map((member) => member.account_id));
    return {
      ...overview,
      createdAt: group.created_at.toISOString(),
      members: members.map((member) => ({
        name: names.get(member.account_id)!,
        joinedAt: member.joined_at.toISOString(),
      })),
    };
  }

  /**
   * What members said (by SMS or from the app), newest first. Members only, and only from the
   * moment they joined: a late joiner does not read what was said before them.
   */
  async messages(
    accountId: string,
    rawName: string,
    query: PaginationQueryDto,
  ): Promise<Page<GroupMessageView>> {
    const group = await this.findGroup(rawName);
    const membership = await this.groups.findMembership(group.id, accountId);
    if (!membership) throw this.notAMember(group.name);
    const page = await this.history.groupTexts(group.id, membership.joined_at, query);
    const senders = await this.sendersOf(page.data);
    return mapPage(page, (message) => toGroupMessageView(message, senders));
  }

  /** A post from the app goes through the inbound pipeline, exactly like the member's SMS. */
  async post(accountId: string, rawName: string, body: string): Promise<GroupMessageView> {
    const group = await this.findGroup(rawName);
    const memberId = await this.groups.findMemberId(group.id, accountId);
    const [own] = memberId
      ? await this.numberPool.bindingsOf(this.dataSource.manager, GROUP_MEMBER_TARGET, [memberId])
      : [];
    if (!own) throw this.notAMember(group.name);
    const { messageId } = await this.inbound.receive({
      source: 'app',
      externalId: randomUUID(),
      accountId,
      from: own.externalPhone,
      to: own.poolNumber,
      body,
    });
    const message = (await this.history.findById(messageId))!;
    return toGroupMessageView(message, await this.sendersOf([message]));
  }

  private sendersOf(messages: Message[]): Promise<Map<string, string>> {
    return this.accounts.namesOf(
      messages.flatMap((message) => (message.accountId ? [message.accountId] : [])),
    );
  }

  private async lockGroup(
    manager: EntityManager,
    rawName: string,
    lock: 'FOR SHARE' | 'FOR UPDATE',
  ): Promise<GroupRow> {
    const name = normaliseGroupName(rawName) as string;
    const group = await this.groups.lockByName(manager, name, lock);
    if (!group) throw this.notFound(name);
    return group;
  }

  private async findGroup(rawName: string): Promise<GroupRow & { created_at: Date }> {
    const name = normaliseGroupName(rawName) as string;
    const group = await this.groups.findByName(name);
    if (!group) throw this.notFound(name);
    return group;
  }

  private async memberIdOf(
    group: GroupRow,
    accountId: string,
    manager?: EntityManager,
  ): Promise<string> {
    const memberId = await this.groups.findMemberId(group.id, accountId, manager);
    if (!memberId) throw this.notAMember(group.name);
    return memberId;
  }

  private notFound(name: string): AppException {
    return new NotFoundAppException('GROUP_NOT_FOUND', `No group named '${name}'.`);
  }

  private notAMember(name: string): AppException {
    return new AppException(
      HttpStatus.NOT_FOUND,
      'NOT_A_MEMBER',
      `You are not a member of '${name}'.`,
    );
  }
}
