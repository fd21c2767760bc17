import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClockModule, SecretCipher } from '@app/core';
import { MessagingModule } from '@app/messaging';
import { Device } from './device.entity';
import { DeviceReportsService } from './device-reports.service';
import { DeviceSessionsService } from './device-sessions.service';
import { DevicesService } from './devices.service';
import { DeviceChangeHooks } from './device-change-hooks';
import { DeviceWithdrawals } from './device-withdrawals';
import { DeviceChannel } from './live/device-channel';
import { DeviceRegistry } from './live/device-registry';
import { RequestedDeviceCheck } from './requested-device-check';
import { DeviceSigningKeys } from './sms-gateway/device-signing-keys.service';
import { SmsGatewaySettingsService } from './sms-gateway/sms-gateway-settings.service';
import { SmsGatewayWebhooksService } from './sms-gateway/sms-gateway-webhooks.service';

/** Phones as the API process sees them: the Devices API and the `/ws/devices` sessions. */
@Module({
  imports: [TypeOrmModule.forFeature([Device]), MessagingModule, ClockModule],
  providers: [
    DeviceRegistry,
    DeviceChannel,
    DevicesService,
    DeviceChangeHooks,
    DeviceSessionsService,
    DeviceReportsService,
    RequestedDeviceCheck,
    SecretCipher,
    DeviceSigningKeys,
    SmsGatewaySettingsService,
    SmsGatewayWebhooksService,
    DeviceWithdrawals,
  ],
  exports: [
    DeviceChangeHooks,
    DevicesService,
    DeviceSessionsService,
    DeviceReportsService,
    DeviceChannel,
    DeviceSigningKeys,
    SmsGatewaySettingsService,
    SmsGatewayWebhooksService,
  ],
})
export class DevicesModule {}
