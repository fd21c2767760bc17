import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppConfig, stopWhenSupervisorGoes, tellSupervisorReady } from '@app/core';
import { AppModule } from './app.module';
import { ExpressHttpAdapter } from './express-http-adapter';
import { configureApiApp } from './configure-api-app';

export async function bootstrapApi(): Promise<NestExpressApplication> {
  stopWhenSupervisorGoes();
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule,
    new ExpressHttpAdapter(),
    { bodyParser: false, bufferLogs: true },
  );
  configureApiApp(app);
  const config = app.get(AppConfig);
  await app.listen(config.get('PORT'));
  tellSupervisorReady();
  return app;
}
