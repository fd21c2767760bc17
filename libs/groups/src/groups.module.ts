import { Module } from '@nestjs/common';
import { AuthModule } from '@app/auth';
import { MessagingModule } from '@app/messaging';
import { GroupMembership } from './group-membership';
import { GroupRelayHandler } from './group-relay.handler';
import { GroupRepository } from './group.repository';
import { GroupsService } from './groups.service';

@Module({
  imports: [AuthModule, MessagingModule],
  providers: [GroupRepository, GroupMembership, GroupsService, GroupRelayHandler],
  exports: [GroupsService],
})
export class GroupsModule {}
