import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig, ClockModule } from '@app/core';
import { AccessTokensService, accessTokenJwtOptions } from './access-tokens.service';
import { Account } from './account.entity';
import { AccountSendLimitsService } from './account-send-limits.service';
import { AccountsService } from './accounts.service';
import { ApiKey } from './api-key.entity';
import { ApiKeysService } from './api-keys.service';
import { AuthGuard } from './auth.guard';
import { CredentialRevocations } from './credential-revocations';
import { CredentialsService } from './credentials.service';
import { AuthSession } from './auth-session.entity';
import { AuthSessionsService } from './auth-sessions.service';
import { PasswordHasher } from './password-hasher';

/**
 * Accounts and the credentials that authenticate requests (API keys, access tokens of live
 * sessions). Needs only the database and config, so the `account:create` CLI can use it too;
 * phone sign-in, which texts codes, is SignInModule.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([Account, ApiKey, AuthSession]),
    ClockModule,
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => accessTokenJwtOptions(config.get('AUTH_TOKEN_SECRET')),
    }),
  ],
  providers: [
    AccountsService,
    AccountSendLimitsService,
    ApiKeysService,
    AccessTokensService,
    AuthSessionsService,
    PasswordHasher,
    CredentialsService,
    CredentialRevocations,
    AuthGuard,
  ],
  exports: [
    AccountsService,
    AccountSendLimitsService,
    ApiKeysService,
    AuthSessionsService,
    PasswordHasher,
    CredentialsService,
    AuthGuard,
  ],
})
export class AuthModule {}
