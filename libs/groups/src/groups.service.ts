import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import {
  AppException,
  ConflictAppException,
  DEFAULT_PAGE_SIZE,
  NotFoundAppException,
  Page,
  PaginationQueryDto,
  decodeCursor,
  toPage,
} from '@app/core';
import {
  InboundMessagesService,
  NumberPoolService,
  OutboundReaction,
  QuotaReservation,
  ReactionWriter,
  SendQuota,
  measureSms,
} from '@app/messaging';
import {
  GroupDetailView,
  GroupMessageView,
  GroupSummaryView,
  MembershipView,
  SearchGroupsQuery,
  normaliseGroupName,
} from './group.dto';
import { GroupRow, addMember, memberOf, removeMember } from './group-membership';

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (char) => `\\${char}`);

interface GroupMessageRow {
  id: string;
  /** created_at to the microsecond, for the cursor (lists only). */
  cursor_at?: string;
  body: string;
  route: string;
  created_at: Date;
  sender: string | null;
}

function toGroupMessageView(row: GroupMessageRow): GroupMessageView {
  return {
    id: row.id,
    sender: row.sender ?? 'someone',
    body: row.body,
    via: row.route === 'app' ? 'app' : 'sms',
    createdAt: row.created_at.toISOString(),
  };
}

/**
 * Group SMS chat over the number pool (seed 000, done right): unique names, one pool number per
 * member and group, joins and leaves that are single transactions safe under concurrency.
 */
@Injectable()
export class GroupsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly numberPool: NumberPoolService,
    private readonly reactions: ReactionWriter,
    private readonly inbound: InboundMessagesService,
    private readonly quota: SendQuota,
  ) {}

  /** The creator becomes the first member; a name in use is 409 and changes nothing. */
  async create(accountId: string, name: string): Promise<MembershipView> {
    const { membership, queued } = await this.chargingInTransaction(async (manager, charge) => {
      const member = await memberOf(manager, accountId);
      const created: GroupRow[] = await manager.query(
        `INSERT INTO groups (name, created_by) VALUES ($1, $2)
         ON CONFLICT (name) DO NOTHING RETURNING id, name`,
        [name, accountId],
      );
      if (!created[0]) {
        throw new ConflictAppException('GROUP_NAME_TAKEN', `The group name '${name}' is taken.`);
      }
      const joined = await addMember(manager, created[0], member, this.numberPool.numbers);
      await charge(accountId, [joined.welcome]);
      const queued = await this.reactions.store(manager, [joined.welcome]);
      return { membership: { group: name, number: joined.number }, queued };
    });
    await this.reactions.dispatch(queued);
    return membership;
  }

  async join(accountId: string, rawName: string): Promise<MembershipView> {
    const { membership, queued } = await this.chargingInTransaction(async (manager, charge) => {
      const member = await memberOf(manager, accountId);
      // A shared lock: joins run side by side, but never alongside the last leave deleting it.
      const group = await this.lockGroup(manager, rawName, 'FOR SHARE');
      const joined = await addMember(manager, group, member, this.numberPool.numbers);
      await charge(accountId, [joined.welcome]);
      const queued = await this.reactions.store(manager, [joined.welcome]);
      return { membership: { group: group.name, number: joined.number }, queued };
    });
    await this.reactions.dispatch(queued);
    return membership;
  }

  async leave(accountId: string, rawName: string): Promise<void> {
    const queued = await this.chargingInTransaction(async (manager, charge) => {
      const group = await this.lockGroup(manager, rawName, 'FOR UPDATE');
      const memberId = await this.memberIdOf(manager, group, accountId);
      const { goodbye } = await removeMember(manager, group, memberId);
      // Leaving never waits for quota: over it, the member leaves without the goodbye text.
      const goodbyes = goodbye ? [goodbye] : [];
      const charged = await charge(accountId, goodbyes).then(
        () => true,
        (error: unknown) => {
          if (error instanceof AppException && error.code.startsWith('SEND_QUOTA_')) return false;
          throw error;
        },
      );
      return this.reactions.store(manager, charged ? goodbyes : []);
    });
    await this.reactions.dispatch(queued);
  }

  async search(query: SearchGroupsQuery): Promise<Page<GroupSummaryView>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const params: unknown[] = [];
    const conditions: string[] = [];
    if (query.search) {
      params.push(`%${escapeLike(query.search.trim().toLowerCase())}%`);
      conditions.push(`g.name LIKE $${params.length}`);
    }
    if (query.cursor) {
      params.push(decodeCursor(query.cursor).sortKey);
      conditions.push(`g.name > $${params.length}`);
    }
    params.push(limit + 1);
    const rows: Array<{ id: string; name: string; created_at: Date; member_count: number }> =
      await this.dataSource.query(
        `SELECT g.id, g.name, g.created_at,
           (SELECT count(*)::int FROM group_members m WHERE m.group_id = g.id) AS member_count
         FROM groups g ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
         ORDER BY g.name LIMIT $${params.length}`,
        params,
      );
    return toPage(
      rows,
      limit,
      (row) => ({ sortKey: row.name, id: row.id }),
      (row) => ({
        name: row.name,
        memberCount: row.member_count,
        createdAt: row.created_at.toISOString(),
      }),
    );
  }

  async get(rawName: string): Promise<GroupDetailView> {
    const name = normaliseGroupName(rawName) as string;
    const groups: Array<{ id: string; name: string; created_at: Date }> =
      await this.dataSource.query('SELECT id, name, created_at FROM groups WHERE name = $1', [
        name,
      ]);
    const group = groups[0];
    if (!group) throw this.notFound(name);
    const members: Array<{ name: string; joined_at: Date }> = await this.dataSource.query(
      `SELECT a.name, m.joined_at FROM group_members m JOIN accounts a ON a.id = m.account_id
       WHERE m.group_id = $1 ORDER BY m.joined_at, m.id`,
      [group.id],
    );
    return {
      name: group.name,
      createdAt: group.created_at.toISOString(),
      memberCount: members.length,
      members: members.map((member) => ({
        name: member.name,
        joinedAt: member.joined_at.toISOString(),
      })),
    };
  }

  /** What members said (by SMS or from the app), newest first. Members only. */
  async messages(
    accountId: string,
    rawName: string,
    query: PaginationQueryDto,
  ): Promise<Page<GroupMessageView>> {
    const group = await this.findGroup(this.dataSource.manager, rawName);
    await this.memberIdOf(this.dataSource.manager, group, accountId);
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const params: unknown[] = [group.id];
    let after = '';
    if (query.cursor) {
      const position = decodeCursor(query.cursor, { sortKey: 'timestamp', id: 'uuid' });
      params.push(position.sortKey, position.id);
      after = 'AND (m.created_at, m.id) < ($2::timestamptz, $3::uuid)';
    }
    params.push(limit + 1);
    const rows: GroupMessageRow[] = await this.dataSource.query(
      `SELECT m.id, m.body, m.route, m.created_at, a.name AS sender
         FROM messages m LEFT JOIN accounts a ON a.id = m.account_id
         WHERE m.group_id = $1 AND m.direction = 'inbound' ${after}
         ORDER BY m.created_at DESC, m.id DESC LIMIT $${params.length}`,
      params,
    );
    return toPage(
      rows,
      limit,
      (row) => ({ sortKey: row.cursor_at!, id: row.id }),
      toGroupMessageView,
    );
  }

  /** A post from the app goes through the inbound pipeline, exactly like the member's SMS. */
  async post(accountId: string, rawName: string, body: string): Promise<GroupMessageView> {
    const group = await this.findGroup(this.dataSource.manager, rawName);
    const own: Array<{ external_phone: string; pool_number: string }> = await this.dataSource.query(
      `SELECT b.external_phone, b.pool_number FROM group_members m
       JOIN number_bindings b ON b.target_type = 'group_member' AND b.target_id = m.id
       WHERE m.group_id = $1 AND m.account_id = $2`,
      [group.id, accountId],
    );
    if (!own[0]) throw this.notAMember(group.name);
    const { messageId } = await this.inbound.receive({
      source: 'app',
      externalId: randomUUID(),
      accountId,
      from: own[0].external_phone,
      to: own[0].pool_number,
      body,
    });
    const rows: GroupMessageRow[] = await this.dataSource.query(
      `SELECT m.id, m.body, m.route, m.created_at, a.name AS sender
       FROM messages m LEFT JOIN accounts a ON a.id = m.account_id WHERE m.id = $1`,
      [messageId],
    );
    return toGroupMessageView(rows[0]);
  }

  /**
   * A transaction whose welcome or goodbye texts count against the member's sending quota (they
   * go to the member's own phone, on the operator's bill): `charge` refuses them with 429, and
   * what it counted is given back if the transaction fails.
   */
  private async chargingInTransaction<T>(
    work: (
      manager: EntityManager,
      charge: (accountId: string, texts: OutboundReaction[]) => Promise<void>,
    ) => Promise<T>,
  ): Promise<T> {
    const reservations: QuotaReservation[] = [];
    const charge = async (manager: EntityManager, accountId: string, texts: OutboundReaction[]) => {
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
    lock: 'FOR SHARE' | 'FOR UPDATE',
  ): Promise<GroupRow> {
    const name = normaliseGroupName(rawName) as string;
    const rows: GroupRow[] = await manager.query(
      `SELECT id, name FROM groups WHERE name = $1 ${lock}`,
      [name],
    );
    if (!rows[0]) throw this.notFound(name);
    return rows[0];
  }

  private async findGroup(manager: EntityManager, rawName: string): Promise<GroupRow> {
    const name = normaliseGroupName(rawName) as string;
    const rows: GroupRow[] = await manager.query('SELECT id, name FROM groups WHERE name = $1', [
      name,
    ]);
    if (!rows[0]) throw this.notFound(name);
    return rows[0];
  }

  private async memberIdOf(
    manager: EntityManager,
    group: GroupRow,
    accountId: string,
  ): Promise<string> {
    const rows: Array<{ id: string }> = await manager.query(
      'SELECT id FROM group_members WHERE group_id = $1 AND account_id = $2',
      [group.id, accountId],
    );
    if (!rows[0]) throw this.notAMember(group.name);
    return rows[0].id;
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
