import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MessagingModule } from '@app/messaging';
import { AccountSettingsService } from './account-settings.service';
import { AuthCode } from './auth-code.entity';
import { AuthModule } from './auth.module';
import { RateLimiter } from './rate-limiter';
import { SendLimitsRegistration } from './send-limits-registration';
import { SignInCodesService } from './sign-in-codes.service';
import { SignInLimits } from './sign-in-limits.service';
import { SignInService } from './sign-in.service';

/**
 * Phone-number sign-in: codes by SMS (through messaging), passwords, sessions, abuse limits; and
 * the accounts' send limits handed to messaging, which needs them on every send.
 */
@Module({
  imports: [TypeOrmModule.forFeature([AuthCode]), AuthModule, MessagingModule],
  providers: [
    SignInService,
    SignInCodesService,
    SignInLimits,
    RateLimiter,
    AccountSettingsService,
    SendLimitsRegistration,
  ],
  exports: [SignInService, AccountSettingsService],
})
export class SignInModule {}
