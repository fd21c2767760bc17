import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Keyset, Page, PageRequest } from '@app/core';
import { GroupVisibility } from './group.dto';

export interface GroupRow {
  id: string;
  name: string;
  visibility: GroupVisibility;
}

/** A group as one account sees it: with that account's membership, if any. */
export interface GroupForAccountRow extends GroupRow {
  created_at: Date;
  /** Null when the account is not a member. */
  member_id: string | null;
  /** PostgreSQL's text of the member's joined_at, to the microsecond: it bounds their history. */
  joined_at: string | null;
}

export interface LockedGroupRow extends GroupRow {
  /** Set for private groups only. */
  invite_code: string | null;
  /** The given account's membership; null when it is not a member. */
  member_id: string | null;
}

export interface GroupMemberRow {
  id: string;
  account_id: string;
  joined_at: Date;
}

const BY_NAME = new Keyset({
  sortKey: 'g.name',
  sortKeyType: 'text',
  id: 'g.id',
  idType: 'uuid',
  direction: 'ASC',
});

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (char) => `\\${char}`);

/** Every query on groups and group_members, named by intent. */
@Injectable()
export class GroupRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Null when the name is taken. `inviteCode` is for a private group only. */
  async insertGroup(
    manager: EntityManager,
    group: {
      name: string;
      createdBy: string;
      visibility: GroupVisibility;
      inviteCode: string | null;
    },
  ): Promise<GroupRow | null> {
    const created: GroupRow[] = await manager.query(
      `INSERT INTO groups (name, created_by, visibility, invite_code) VALUES ($1, $2, $3, $4)
       ON CONFLICT (name) DO NOTHING RETURNING id, name, visibility`,
      [group.name, group.createdBy, group.visibility, group.inviteCode],
    );
    return created[0] ?? null;
  }

  async findByNameFor(name: string, accountId: string): Promise<GroupForAccountRow | null> {
    const rows: GroupForAccountRow[] = await this.dataSource.query(
      `SELECT g.id, g.name, g.visibility, g.created_at,
         m.id AS member_id, m.joined_at::text AS joined_at
       FROM groups g
       LEFT JOIN group_members m ON m.group_id = g.id AND m.account_id = $2
       WHERE g.name = $1`,
      [name, accountId],
    );
    return rows[0] ?? null;
  }

  /** The group, its row locked, with the account's membership (read in the same statement). */
  async lockByName(
    manager: EntityManager,
    name: string,
    accountId: string,
    lock: 'FOR SHARE' | 'FOR UPDATE',
  ): Promise<LockedGroupRow | null> {
    const rows: LockedGroupRow[] = await manager.query(
      `SELECT g.id, g.name, g.visibility, g.invite_code, m.id AS member_id
       FROM groups g
       LEFT JOIN group_members m ON m.group_id = g.id AND m.account_id = $2
       WHERE g.name = $1 ${lock} OF g`,
      [name, accountId],
    );
    return rows[0] ?? null;
  }

  async replaceInviteCode(manager: EntityManager, groupId: string, code: string): Promise<void> {
    await manager.query('UPDATE groups SET invite_code = $2 WHERE id = $1', [groupId, code]);
  }

  /** The group of a member, locked for update, with the member's account. */
  async lockGroupOfMember(
    manager: EntityManager,
    memberId: string,
  ): Promise<(GroupRow & { account_id: string }) | null> {
    const rows: Array<GroupRow & { account_id: string }> = await manager.query(
      `SELECT g.id, g.name, g.visibility, m.account_id FROM group_members m
       JOIN groups g ON g.id = m.group_id
       WHERE m.id = $1 FOR UPDATE OF g`,
      [memberId],
    );
    return rows[0] ?? null;
  }

  /** Public groups by name; `search` is part of the name. */
  async searchPublic(search: string | undefined, request: PageRequest): Promise<Page<GroupRow>> {
    const params: unknown[] = [];
    const conditions = [`g.visibility = 'public'`];
    if (search) {
      params.push(`%${escapeLike(search.trim().toLowerCase())}%`);
      conditions.push(`g.name LIKE $${params.length}`);
    }
    const page = BY_NAME.sql(request, params);
    const rows: GroupRow[] = await this.dataSource.query(
      `SELECT g.id, g.name, g.visibility, ${page.positionColumns}
       FROM groups g WHERE ${[...conditions, page.after].join(' AND ')}
       ORDER BY ${page.orderBy} LIMIT ${page.limit}`,
      params,
    );
    return BY_NAME.page(rows, request, (row) => row);
  }

  async deleteGroup(manager: EntityManager, groupId: string): Promise<void> {
    await manager.query('DELETE FROM groups WHERE id = $1', [groupId]);
  }

  /** Null when the account is a member already. */
  async insertMember(
    manager: EntityManager,
    groupId: string,
    accountId: string,
  ): Promise<string | null> {
    const inserted: Array<{ id: string }> = await manager.query(
      `INSERT INTO group_members (group_id, account_id) VALUES ($1, $2)
       ON CONFLICT (group_id, account_id) DO NOTHING RETURNING id`,
      [groupId, accountId],
    );
    return inserted[0]?.id ?? null;
  }

  async deleteMember(manager: EntityManager, memberId: string): Promise<void> {
    await manager.query('DELETE FROM group_members WHERE id = $1', [memberId]);
  }

  async countMembers(manager: EntityManager, groupId: string): Promise<number> {
    const [{ remaining }] = await manager.query(
      'SELECT count(*)::int AS remaining FROM group_members WHERE group_id = $1',
      [groupId],
    );
    return remaining;
  }

  /** The account's memberships, by group name. */
  async findMembershipsOf(
    accountId: string,
  ): Promise<Array<GroupRow & { member_id: string; joined_at: Date }>> {
    return this.dataSource.query(
      `SELECT g.id, g.name, g.visibility, m.id AS member_id, m.joined_at
       FROM group_members m JOIN groups g ON g.id = m.group_id
       WHERE m.account_id = $1 ORDER BY g.name`,
      [accountId],
    );
  }

  /** In the order they joined. */
  async findMembers(groupId: string): Promise<GroupMemberRow[]> {
    return this.dataSource.query(
      `SELECT id, account_id, joined_at FROM group_members WHERE group_id = $1
       ORDER BY joined_at, id`,
      [groupId],
    );
  }

  async findOtherMemberIds(
    manager: EntityManager,
    groupId: string,
    memberId: string,
  ): Promise<string[]> {
    const rows: Array<{ id: string }> = await manager.query(
      'SELECT id FROM group_members WHERE group_id = $1 AND id <> $2',
      [groupId, memberId],
    );
    return rows.map((row) => row.id);
  }
}
