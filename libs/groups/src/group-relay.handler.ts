import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AccountsService } from '@app/auth';
import {
  InboundHandling,
  InboundTargetHandler,
  InboundTargets,
  Message,
  NumberBinding,
  NumberPoolService,
  RequestedRoute,
} from '@app/messaging';
import { GROUP_MEMBER_TARGET, GroupMembership } from './group-membership';
import { GroupRepository } from './group.repository';

const LEAVE_KEYWORD = 'LEAVE';

/**
 * A member's text to their group number: LEAVE leaves the group; anything else is relayed as
 * "{name}: {body}" to every other member, each from their own number. Runs inside the inbound
 * transaction, so the text and its relays are stored together or not at all.
 */
@Injectable()
export class GroupRelayHandler implements InboundTargetHandler, OnModuleInit {
  readonly runsCreationHooks = false;

  constructor(
    private readonly targets: InboundTargets,
    private readonly groups: GroupRepository,
    private readonly membership: GroupMembership,
    private readonly accounts: AccountsService,
    private readonly numberPool: NumberPoolService,
  ) {}

  onModuleInit(): void {
    this.targets.register(GROUP_MEMBER_TARGET, this);
  }

  async handle(
    manager: EntityManager,
    binding: NumberBinding,
    inbound: Message,
  ): Promise<InboundHandling> {
    const memberId = binding.targetId!;
    const group = await this.groups.lockGroupOfMember(manager, memberId);
    if (!group) return { automaticMessages: [] }; // left meanwhile: nothing to relay to

    if (inbound.body.trim().toUpperCase() === LEAVE_KEYWORD) {
      const { goodbye, groupDeleted } = await this.membership.remove(manager, group, memberId);
      // A deleted group takes its traffic out of groups (the foreign key sets it null).
      return {
        groupId: groupDeleted ? undefined : group.id,
        automaticMessages: goodbye ? [goodbye] : [],
      };
    }
    // Through the inbound transaction's connection: a second one per text could exhaust the pool.
    const senders = await this.accounts.namesOf([group.account_id], manager);
    const sender = senders.get(group.account_id);
    const others = await this.numberPool.bindingsOf(
      manager,
      GROUP_MEMBER_TARGET,
      await this.groups.findOtherMemberIds(manager, group.id, memberId),
    );
    return {
      groupId: group.id,
      automaticMessages: others.map((other) => ({
        accountId: other.accountId,
        to: other.externalPhone,
        from: other.poolNumber,
        body: `${sender}: ${inbound.body}`,
        route: RequestedRoute.Twilio,
        groupId: group.id,
      })),
    };
  }
}
