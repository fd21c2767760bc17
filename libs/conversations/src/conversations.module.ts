import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MessagingModule } from '@app/messaging';
import { Contact } from './contact.entity';
import { ContactsService } from './contacts.service';
import { ConversationReadsRepository } from './conversation-reads.repository';
import { ConversationsService } from './conversations.service';

@Module({
  imports: [TypeOrmModule.forFeature([Contact]), MessagingModule],
  providers: [ContactsService, ConversationReadsRepository, ConversationsService],
  exports: [ContactsService, ConversationsService],
})
export class ConversationsModule {}
