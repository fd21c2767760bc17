import { Module } from '@nestjs/common';
import { AuthModule, RateLimiter } from '@app/auth';
import { MessagingModule } from '@app/messaging';
import { GroupMembership } from './group-membership';
import { GroupNameProbes } from './group-name-probes';
import { GroupRelayHandler } from './group-relay.handler';
import { GroupRepository } from './group.repository';
import { GroupsService } from './groups.service';

@Module({
  imports: [AuthModule, MessagingModule],
  providers: [
    GroupRepository,
    GroupMembership,
    GroupsService,
    GroupRelayHandler,
    GroupNameProbes,
    RateLimiter,
  ],
  exports: [GroupsService],
})
export class GroupsModule {}
