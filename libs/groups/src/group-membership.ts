import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ConflictAppException, UnprocessableAppException } from '@app/core';
import { AccountsService } from '@app/auth';
import { NumberPoolService, AutomaticMessage, RequestedRoute } from '@app/messaging';
import { GroupRepository, GroupRow } from './group.repository';

export interface Member {
  accountId: string;
  phone: string;
}

/** The target kind of a member's number binding: texts to it go to the group. */
export const GROUP_MEMBER_TARGET = 'group_member';

export const welcomeText = (group: string) =>
  `You joined '${group}'. Reply to this number to message the group. Text LEAVE to leave.`;
export const goodbyeText = (group: string) => `You left '${group}'.`;

/** Joining and leaving: a member row and the pool number bound to it, together or not at all. */
@Injectable()
export class GroupMembership {
  constructor(
    private readonly groups: GroupRepository,
    private readonly accounts: AccountsService,
    private readonly numberPool: NumberPoolService,
  ) {}

  /** The caller's verified phone: group chat happens by SMS, so a member needs one. */
  async memberOf(manager: EntityManager, accountId: string): Promise<Member> {
    const phone = await this.accounts.verifiedPhoneOf(accountId, manager);
    if (!phone) {
      throw new UnprocessableAppException(
        'PHONE_REQUIRED',
        'Group chat works by SMS: sign in with a verified phone number to create or join a group.',
      );
    }
    return { accountId, phone };
  }

  /**
   * Adds the member and binds them a pool number not yet bound to their phone, in the caller's
   * transaction. Unique constraints decide every race: (group, account) for double joins, (phone,
   * pool number) for two groups of one person grabbing the same number at once.
   */
  async add(
    manager: EntityManager,
    group: GroupRow,
    member: Member,
  ): Promise<{ memberId: string; number: string; welcome: AutomaticMessage }> {
    const memberId = await this.groups.insertMember(manager, group.id, member.accountId);
    if (!memberId) {
      throw new ConflictAppException(
        'ALREADY_MEMBER',
        `You are already a member of '${group.name}'.`,
      );
    }
    const number = await this.numberPool.bindFreeNumber(manager, {
      phone: member.phone,
      accountId: member.accountId,
      targetType: GROUP_MEMBER_TARGET,
      targetId: memberId,
    });
    if (!number) {
      throw new ConflictAppException(
        'NUMBER_POOL_EXHAUSTED',
        `Every number of the pool already serves one of your groups or conversations (${this.numberPool.numbers.length} in all); leave a group first.`,
      );
    }
    return {
      memberId,
      number,
      welcome: {
        accountId: member.accountId,
        to: member.phone,
        from: number,
        body: welcomeText(group.name),
        route: RequestedRoute.Twilio,
        groupId: group.id,
      },
    };
  }

  /**
   * Removes a member and frees their number, under the group's row lock (taken by the caller);
   * the last member out deletes the group, so its name is free again.
   */
  async remove(
    manager: EntityManager,
    group: GroupRow,
    memberId: string,
  ): Promise<{ goodbye: AutomaticMessage | null; groupDeleted: boolean }> {
    const binding = await this.numberPool.unbind(manager, GROUP_MEMBER_TARGET, memberId);
    await this.groups.deleteMember(manager, memberId);
    const groupDeleted = (await this.groups.countMembers(manager, group.id)) === 0;
    if (groupDeleted) await this.groups.deleteGroup(manager, group.id);
    return {
      groupDeleted,
      goodbye: binding
        ? {
            accountId: binding.accountId,
            to: binding.externalPhone,
            from: binding.poolNumber,
            body: goodbyeText(group.name),
            route: RequestedRoute.Twilio,
            // The group may be gone; the goodbye then stands on its own.
            groupId: groupDeleted ? null : group.id,
          }
        : null,
    };
  }
}
