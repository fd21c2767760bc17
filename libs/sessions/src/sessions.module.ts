import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MessagingModule } from '@app/messaging';
import { Session } from './session.entity';
import { SessionRepository } from './session.repository';
import { SessionTracker } from './session-tracker';
import { SessionsService } from './sessions.service';

@Module({
  imports: [TypeOrmModule.forFeature([Session]), MessagingModule],
  providers: [SessionRepository, SessionsService, SessionTracker],
  exports: [SessionsService],
})
export class SessionsModule {}
