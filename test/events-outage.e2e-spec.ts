import { NestExpressApplication } from '@nestjs/platform-express';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { EventsClient } from './helpers/events-client';
import { createTestApp } from './helpers/test-app';
import { eventually } from './helpers/eventually';

// /ws/events checks a credential against PostgreSQL. When PostgreSQL cannot answer, the client
// must be told to come back later (1013), and the API must go on: a promise rejected in a socket
// handler, left unhandled, ends a Node process.
describe('/ws/events while PostgreSQL cannot answer', () => {
  let app: NestExpressApplication;
  const unhandled: unknown[] = [];
  const recordUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', recordUnhandled);
    app = await createTestApp();
    // The API's connections to PostgreSQL are gone: every query now fails.
    await app.get(DataSource).destroy();
  });
  afterAll(async () => {
    process.off('unhandledRejection', recordUnhandled);
    await app.close();
  });

  // A well-formed key no request has used: only PostgreSQL could say whose it is.
  const unknownKey = () => `sb_${randomBytes(24).toString('base64url')}`;

  it.each([
    ['in a header', false],
    ['in the first frame', true],
  ])(
    'closes with 1013 when the credential comes %s, and nothing is left unhandled',
    async (_, inFirstFrame) => {
      const client = await EventsClient.connect(app, { apiKey: unknownKey() }, inFirstFrame);
      expect(
        await eventually(
          () => Promise.resolve(client.closeCode),
          (code) => code !== undefined,
        ),
      ).toBe(1013);
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    },
  );
});
