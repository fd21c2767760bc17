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
import { ConversationsModule } from '@app/conversations';
import { DevicesModule } from '@app/devices';
import { GroupsModule } from '@app/groups';
import { MessagingModule } from '@app/messaging';
import { SessionsModule } from '@app/sessions';
import { DeviceWebhooksModule, WebhooksModule } from '@app/webhooks';
import { ApiKeysController } from './accounts/api-keys.controller';
import { MeController } from './accounts/me.controller';
import { AuthController } from './auth/auth.controller';
import { ContactsController } from './conversations/contacts.controller';
import { ConversationsController } from './conversations/conversations.controller';
import { DeviceHubModule } from './devices/device-hub.module';
import { DevicesController } from './devices/devices.controller';
import { PhoneFacingUrls } from './devices/phone-facing-urls';
import { EventSubscribers } from './events/event-subscribers';
import { EventsGateway } from './events/events.gateway';
import { GroupsController } from './groups/groups.controller';
import { MyGroupsController } from './groups/my-groups.controller';
import { HealthModule } from './health/health.module';
import { MobileModule } from './mobile/mobile.module';
import { HomeController } from './home/home.controller';
import { MessagesController } from './messages/messages.controller';
import { SessionsController } from './sessions/sessions.controller';
import { TwilioSignatureGuard } from './webhooks/twilio-signature.guard';
import { TwilioSmsController } from './webhooks/twilio-sms.controller';
import { TwilioStatusController } from './webhooks/twilio-status.controller';
import { WebhookEndpointsController } from './webhook-endpoints/webhook-endpoints.controller';

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
    DevicesModule,
    DeviceHubModule,
    ConversationsModule,
    GroupsModule,
    WebhooksModule,
    MobileModule,
    DeviceWebhooksModule,
  ],
  controllers: [
    HomeController,
    MeController,
    MessagesController,
    DevicesController,
    SessionsController,
    TwilioStatusController,
    AuthController,
    ApiKeysController,
    TwilioSmsController,
    ConversationsController,
    ContactsController,
    GroupsController,
    MyGroupsController,
    WebhookEndpointsController,
  ],
  providers: [
    TwilioSignatureGuard,
    PhoneFacingUrls,
    EventSubscribers,
    EventsGateway,
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
    { provide: APP_GUARD, useExisting: AuthGuard },
  ],
})
export class AppModule {}
