import { Injectable } from '@nestjs/common';
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
  AutomaticMessage,
  AutomaticMessageWriter,
  QuotaReservation,
  SendQuota,
  measureSms,
} from '@app/messaging';
import {
  GroupDetailView,
  GroupListingView,
  GroupMessageView,
  GroupVisibility,
  InviteCodeView,
  MembershipView,
  MyGroupView,
  SearchGroupsQuery,
  normaliseGroupName,
} from './group.dto';
import { inviteCodeMatches, newInviteCode } from './group-invite-code';
import { GROUP_MEMBER_TARGET, GroupMembership } from './group-membership';
import { GroupNameProbes } from './group-name-probes';
import { GroupForAccountRow, GroupRepository, GroupRow, LockedGroupRow } from './group.repository';

function toGroupMessageView(
  message: Message,
  senders: Map<string, string>,
  readerAccountId: string,
): GroupMessageView {
  return {
    id: message.id,
    sender: (message.accountId && senders.get(message.accountId)) ?? 'someone',
    mine: message.accountId === readerAccountId,
    body: message.body,
    via: message.route === 'app' ? 'app' : 'sms',
    createdAt: message.createdAt.toISOString(),
  };
}

/**
 * Group SMS chat over the number pool: unique names, one pool number per member and group, joins
 * and leaves that are single transactions safe under concurrency. A private group is, to anyone
 * but its members, exactly like a group that does not exist: 404 GROUP_NOT_FOUND everywhere,
 * joining included unless the invite code is right.
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
    private readonly quota: SendQuota,
    private readonly nameProbes: GroupNameProbes,
  ) {}

  /**
   * The creator becomes the first member; a name in use is 409 and changes nothing (and counts
   * as a probe: it tells that a private group of that name exists).
   */
  create(
    accountId: string,
    name: string,
    visibility: GroupVisibility = 'public',
  ): Promise<MembershipView> {
    return this.nameProbes.limit(accountId, () => this.createGroup(accountId, name, visibility));
  }

  /**
   * A private group needs its invite code; a wrong or missing one is a group that is not there,
   * and counts as a probe.
   */
  join(accountId: string, rawName: string, inviteCode?: string): Promise<MembershipView> {
    return this.nameProbes.limit(accountId, () => this.joinGroup(accountId, rawName, inviteCode));
  }

  private async createGroup(
    accountId: string,
    name: string,
    visibility: GroupVisibility,
  ): Promise<MembershipView> {
    const { membership, queued } = await this.chargingInTransaction(async (manager, charge) => {
      const member = await this.membership.memberOf(manager, accountId);
      const created = await this.groups.insertGroup(manager, {
        name,
        createdBy: accountId,
        visibility,
        inviteCode: visibility === 'private' ? newInviteCode() : null,
      });
      if (!created) {
        throw new ConflictAppException('GROUP_NAME_TAKEN', `The group name '${name}' is taken.`);
      }
      const joined = await this.membership.add(manager, created, member);
      await charge(accountId, [joined.welcome]);
      const queued = await this.automaticMessages.store(manager, [joined.welcome]);
      return { membership: { group: name, number: joined.number }, queued };
    });
    await this.automaticMessages.dispatch(queued);
    return membership;
  }

  private async joinGroup(
    accountId: string,
    rawName: string,
    inviteCode: string | undefined,
  ): Promise<MembershipView> {
    const { membership, queued } = await this.chargingInTransaction(async (manager, charge) => {
      const member = await this.membership.memberOf(manager, accountId);
      // A shared lock: joins run side by side, but never alongside the last leave deleting it,
      // nor alongside a rotation of the code they are checked against.
      const group = await this.lockGroup(manager, rawName, accountId, 'FOR SHARE');
      const invited =
        group.visibility === 'public' ||
        group.member_id !== null || // answered ALREADY_MEMBER below
        inviteCodeMatches(group.invite_code!, inviteCode);
      if (!invited) throw this.notFound(group.name);
      const joined = await this.membership.add(manager, group, member);
      await charge(accountId, [joined.welcome]);
      const queued = await this.automaticMessages.store(manager, [joined.welcome]);
      return { membership: { group: group.name, number: joined.number }, queued };
    });
    await this.automaticMessages.dispatch(queued);
    return membership;
  }

  async leave(accountId: string, rawName: string): Promise<void> {
    const queued = await this.chargingInTransaction(async (manager, charge) => {
      const group = await this.lockGroup(manager, rawName, accountId, 'FOR UPDATE');
      if (!group.member_id) throw this.outsiderAnswer(group);
      const { goodbye } = await this.membership.remove(manager, group, group.member_id);
      // Leaving never waits for quota: over it, the member leaves without the goodbye text.
      const goodbyes = goodbye ? [goodbye] : [];
      const charged = await charge(accountId, goodbyes).then(
        () => true,
        (error: unknown) => {
          if (error instanceof AppException && error.code.startsWith('SEND_QUOTA_')) return false;
          throw error;
        },
      );
      return this.automaticMessages.store(manager, charged ? goodbyes : []);
    });
    await this.automaticMessages.dispatch(queued);
  }

  /** Public groups, by name only: who is in a group, and how many, is not for anyone who searches. */
  async search(query: SearchGroupsQuery): Promise<Page<GroupListingView>> {
    const page = await this.groups.searchPublic(query.search, query);
    return mapPage(page, (row) => ({ name: row.name }));
  }

  /**
   * The caller's groups with their number for each. Not paged: each membership holds one pool
   * number bound to the member's phone, so there are never more than the pool has numbers.
   */
  async mine(accountId: string): Promise<MyGroupView[]> {
    const rows = await this.groups.findMembershipsOf(accountId);
    const bindings = await this.numberPool.bindingsOf(
      this.dataSource.manager,
      GROUP_MEMBER_TARGET,
      rows.map((row) => row.member_id),
    );
    const numbers = new Map(bindings.map((binding) => [binding.targetId, binding.poolNumber]));
    return rows.flatMap((row) => {
      const number = numbers.get(row.member_id);
      // A membership is written with its binding in one transaction; a leave removes both.
      if (!number) return [];
      return [
        {
          name: row.name,
          visibility: row.visibility,
          number,
          joinedAt: row.joined_at.toISOString(),
        },
      ];
    });
  }

  /** Anyone sees a public group's name and size; only its members see who is in it. */
  async get(accountId: string, rawName: string): Promise<GroupDetailView> {
    const group = await this.findVisibleGroup(accountId, rawName);
    const members = await this.groups.findMembers(group.id);
    const overview = {
      name: group.name,
      visibility: group.visibility,
      memberCount: members.length,
    };
    if (!group.member_id) return overview;
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
    const group = await this.findVisibleGroup(accountId, rawName);
    if (!group.joined_at) throw this.notAMember(group.name);
    const page = await this.history.groupTexts(group.id, group.joined_at, query);
    const senders = await this.sendersOf(page.data);
    return mapPage(page, (message) => toGroupMessageView(message, senders, accountId));
  }

  /** A post from the app goes through the inbound pipeline, exactly like the member's SMS. */
  async post(accountId: string, rawName: string, body: string): Promise<GroupMessageView> {
    const group = await this.findVisibleGroup(accountId, rawName);
    const [own] = group.member_id
      ? await this.numberPool.bindingsOf(this.dataSource.manager, GROUP_MEMBER_TARGET, [
          group.member_id,
        ])
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
    return toGroupMessageView(message, await this.sendersOf([message]), accountId);
  }

  /** A private group's invite code, for its members to pass on. */
  async inviteCode(accountId: string, rawName: string): Promise<InviteCodeView> {
    return this.dataSource.transaction(async (manager) => {
      const group = await this.lockPrivateGroupOfMember(manager, accountId, rawName, 'FOR SHARE');
      return { inviteCode: group.invite_code! };
    });
  }

  /**
   * A new invite code; the old one stops working at once. Any member may rotate it: every
   * member can read the code and pass it on, so every member may also take it back.
   */
  async rotateInviteCode(accountId: string, rawName: string): Promise<InviteCodeView> {
    return this.dataSource.transaction(async (manager) => {
      const group = await this.lockPrivateGroupOfMember(manager, accountId, rawName, 'FOR UPDATE');
      const inviteCode = newInviteCode();
      await this.groups.replaceInviteCode(manager, group.id, inviteCode);
      return { inviteCode };
    });
  }

  private sendersOf(messages: Message[]): Promise<Map<string, string>> {
    return this.accounts.namesOf(
      messages.flatMap((message) => (message.accountId ? [message.accountId] : [])),
    );
  }

  /**
   * A transaction whose welcome or goodbye texts count against the member's sending quota (they
   * go to the member's own phone, on the operator's bill): `charge` refuses them with 429, and
   * what it counted is given back if the transaction fails.
   */
  private async chargingInTransaction<T>(
    work: (
      manager: EntityManager,
      charge: (accountId: string, texts: AutomaticMessage[]) => Promise<void>,
    ) => Promise<T>,
  ): Promise<T> {
    const reservations: QuotaReservation[] = [];
    const charge = async (manager: EntityManager, accountId: string, texts: AutomaticMessage[]) => {
      if (texts.length === 0) return;
      const segments = texts.reduce((sum, text) => sum + measureSms(text.body).segments, 0);
      const reservation = await this.quota.reserve(accountId, segments, manager);
      if (reservation) reservations.push(reservation);
    };
    try {
      return await this.dataSource.transaction((manager) =>
        work(manager, (accountId, texts) => charge(manager, accountId, texts)),
      );
    } catch (error) {
      for (const reservation of reservations) {
        await this.quota.release(reservation).catch(() => undefined);
      }
      throw error;
    }
  }

  private async lockGroup(
    manager: EntityManager,
    rawName: string,
    accountId: string,
    lock: 'FOR SHARE' | 'FOR UPDATE',
  ): Promise<LockedGroupRow> {
    const name = normaliseGroupName(rawName) as string;
    const group = await this.groups.lockByName(manager, name, accountId, lock);
    if (!group) throw this.notFound(name);
    return group;
  }

  private async lockPrivateGroupOfMember(
    manager: EntityManager,
    accountId: string,
    rawName: string,
    lock: 'FOR SHARE' | 'FOR UPDATE',
  ): Promise<LockedGroupRow> {
    const group = await this.lockGroup(manager, rawName, accountId, lock);
    if (!group.member_id) throw this.outsiderAnswer(group);
    if (group.visibility !== 'private') {
      throw new ConflictAppException(
        'GROUP_IS_PUBLIC',
        `'${group.name}' is public: anyone can join it by name, without an invite code.`,
      );
    }
    return group;
  }

  /** The group with the caller's membership; a private group of others is not found. */
  private async findVisibleGroup(accountId: string, rawName: string): Promise<GroupForAccountRow> {
    const name = normaliseGroupName(rawName) as string;
    const group = await this.groups.findByNameFor(name, accountId);
    if (!group || (group.visibility === 'private' && !group.member_id)) throw this.notFound(name);
    return group;
  }

  /** To a non-member, a private group is not found; a public one is found, but not theirs. */
  private outsiderAnswer(group: GroupRow): AppException {
    return group.visibility === 'private' ? this.notFound(group.name) : this.notAMember(group.name);
  }

  private notFound(name: string): AppException {
    return new NotFoundAppException('GROUP_NOT_FOUND', `No group named '${name}'.`);
  }

  private notAMember(name: string): AppException {
    return new NotFoundAppException('NOT_A_MEMBER', `You are not a member of '${name}'.`);
  }
}
