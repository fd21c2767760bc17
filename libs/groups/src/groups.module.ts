import { Module } from '@nestjs/common';
import { MessagingModule } from '@app/messaging';
import { GroupRelayHandler } from './group-relay.handler';
import { GroupsService } from './groups.service';

@Module({
  imports: [MessagingModule],
  providers: [GroupsService, GroupRelayHandler],
  exports: [GroupsService],
})
export class GroupsModule {}
