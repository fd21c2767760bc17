import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AuthGuard, AuthModule, SignInModule } from '@app/auth';
import {
  AppConfigModule,
  DatabaseModule,
  LoggingModule,
  ProblemDetailsFilter,
  QueueRootModule,
  RedisModule,
} from '@app/core';
import { MessagingModule } from '@app/messaging';
import { SessionsModule } from '@app/sessions';
import { ApiKeysController } from './accounts/api-keys.controller';
import { MeController } from './accounts/me.controller';
import { AuthController } from './auth/auth.controller';
import { HealthModule } from './health/health.module';
import { MessagesController } from './messages/messages.controller';
import { SessionsController } from './sessions/sessions.controller';
import { TwilioSignatureGuard } from './webhooks/twilio-signature.guard';
import { TwilioStatusController } from './webhooks/twilio-status.controller';

@Module({
  imports: [
    AppConfigModule.forRoot(),
    LoggingModule,
    DatabaseModule,
    RedisModule,
    QueueRootModule,
    AuthModule,
    SignInModule,
    HealthModule,
    MessagingModule,
    SessionsModule,
  ],
  controllers: [
    MeController,
    MessagesController,
    SessionsController,
    TwilioStatusController,
    AuthController,
    ApiKeysController,
  ],
  providers: [
    TwilioSignatureGuard,
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
    { provide: APP_GUARD, useExisting: AuthGuard },
  ],
})
export class AppModule {}
