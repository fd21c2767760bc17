import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Keyset, Page, PageRequest } from '@app/core';

export interface GroupRow {
  id: string;
  name: string;
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

  /** Null when the name is taken. */
  async insertGroup(
    manager: EntityManager,
    name: string,
    createdBy: string,
  ): Promise<GroupRow | null> {
    const created: GroupRow[] = await manager.query(
      `INSERT INTO groups (name, created_by) VALUES ($1, $2)
       ON CONFLICT (name) DO NOTHING RETURNING id, name`,
      [name, createdBy],
    );
    return created[0] ?? null;
  }

  async findByName(
    name: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<(GroupRow & { created_at: Date }) | null> {
    const rows: Array<GroupRow & { created_at: Date }> = await manager.query(
      'SELECT id, name, created_at FROM groups WHERE name = $1',
      [name],
    );
    return rows[0] ?? null;
  }

  async lockByName(
    manager: EntityManager,
    name: string,
    lock: 'FOR SHARE' | 'FOR UPDATE',
  ): Promise<GroupRow | null> {
    const rows: GroupRow[] = await manager.query(
      `SELECT id, name FROM groups WHERE name = $1 ${lock}`,
      [name],
    );
    return rows[0] ?? null;
  }

  /** The group of a member, locked for update, with the member's account. */
  async lockGroupOfMember(
    manager: EntityManager,
    memberId: string,
  ): Promise<(GroupRow & { account_id: string }) | null> {
    const rows: Array<GroupRow & { account_id: string }> = await manager.query(
      `SELECT g.id, g.name, m.account_id FROM group_members m
       JOIN groups g ON g.id = m.group_id
       WHERE m.id = $1 FOR UPDATE OF g`,
      [memberId],
    );
    return rows[0] ?? null;
  }

  /** By name; `search` is part of the name. */
  async search(search: string | undefined, request: PageRequest): Promise<Page<GroupRow>> {
    const params: unknown[] = [];
    const conditions: string[] = [];
    if (search) {
      params.push(`%${escapeLike(search.trim().toLowerCase())}%`);
      conditions.push(`g.name LIKE $${params.length}`);
    }
    const page = BY_NAME.sql(request, params);
    const rows: GroupRow[] = await this.dataSource.query(
      `SELECT g.id, g.name, ${page.positionColumns}
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

  async findMemberId(
    groupId: string,
    accountId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<string | null> {
    const rows: Array<{ id: string }> = await manager.query(
      'SELECT id FROM group_members WHERE group_id = $1 AND account_id = $2',
      [groupId, accountId],
    );
    return rows[0]?.id ?? null;
  }

  /**
   * The account's membership of the group; `joined_at` as PostgreSQL's text of it, to the
   * microsecond, since it bounds the history the member may read.
   */
  async findMembership(
    groupId: string,
    accountId: string,
  ): Promise<{ id: string; joined_at: string } | null> {
    const rows: Array<{ id: string; joined_at: string }> = await this.dataSource.query(
      'SELECT id, joined_at::text AS joined_at FROM group_members WHERE group_id = $1 AND account_id = $2',
      [groupId, accountId],
    );
    return rows[0] ?? null;
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
