import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { AppConfig } from '@app/core';
import { AppModule } from '../../apps/api/src/app.module';
import { configureApiApp } from '../../apps/api/src/configure-api-app';
import { ExpressHttpAdapter } from '../../apps/api/src/express-http-adapter';
import { freePort } from './free-port';

export interface ProviderOverride {
  provide: unknown;
  useValue: unknown;
}

/**
 * The API exactly as `npm start` runs it, listening on a free port that is also its
 * PUBLIC_BASE_URL (so signed webhooks and status callbacks reach it). `env` overrides variables
 * for this app only; `overrides` replaces providers (e.g. the clock).
 */
export async function createTestApp(
  env: Record<string, string> = {},
  overrides: ProviderOverride[] = [],
): Promise<NestExpressApplication> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const config = AppConfig.from({
    ...process.env,
    PORT: String(port),
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    ...env,
  });
  let builder = Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(AppConfig)
    .useValue(config);
  for (const override of overrides) {
    builder = builder.overrideProvider(override.provide).useValue(override.useValue);
  }
  const app = (await builder.compile()).createNestApplication<NestExpressApplication>(
    new ExpressHttpAdapter(),
    { bodyParser: false, bufferLogs: true },
  );
  configureApiApp(app);
  await app.listen(port, '127.0.0.1');
  return app;
}

/** The base URL a test app listens on. */
export function urlOf(app: NestExpressApplication): string {
  return app.get(AppConfig).get('PUBLIC_BASE_URL');
}
