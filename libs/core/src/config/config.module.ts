import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AppConfig } from './app-config';
import { parseEnvironment } from './config.schema';

@Global()
@Module({})
export class AppConfigModule {
  /** A function, not a static import, so that importing `@app/core` never validates by itself. */
  static forRoot(): DynamicModule {
    return {
      module: AppConfigModule,
      // @nestjs/config loads `.env` (real environment variables win) and fails fast on bad values.
      imports: [ConfigModule.forRoot({ validate: parseEnvironment })],
      providers: [{ provide: AppConfig, useFactory: () => AppConfig.from(process.env) }],
      exports: [AppConfig],
    };
  }
}
