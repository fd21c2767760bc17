import { Module } from '@nestjs/common';
import { AppConfig } from '@app/core';
import { MessageDispatchService } from './message-dispatch.service';
import { MessageReconcilerService } from './message-reconciler.service';
import { MessagingModule } from '../messaging.module';
import { NumberPoolService } from '../inbound/number-pool.service';
import { ConsoleRoute } from './console.route';
import { TwilioRoute } from './twilio/twilio.route';
import { MessageRouter } from './message-router';
import { CARRIER_ROUTE, RouteRegistry } from './route-registry';
import { SenderPacingService } from './sender-pacing.service';
import { SmsRoute } from './sms-route';

/** Twilio when it is configured, else the console stand-in. */
function carrierRoute(
  config: AppConfig,
  numberPool: NumberPoolService,
  pacing: SenderPacingService,
): SmsRoute {
  return config.twilioConfigured
    ? new TwilioRoute(config, numberPool, pacing)
    : new ConsoleRoute(numberPool);
}

/** Handing messages to routes: what the worker process needs. */
@Module({
  imports: [MessagingModule],
  providers: [
    RouteRegistry,
    MessageRouter,
    SenderPacingService,
    MessageDispatchService,
    MessageReconcilerService,
    {
      provide: CARRIER_ROUTE,
      inject: [AppConfig, NumberPoolService, SenderPacingService],
      useFactory: carrierRoute,
    },
  ],
  exports: [MessagingModule, RouteRegistry, MessageDispatchService, MessageReconcilerService],
})
export class MessageDispatchModule {}
