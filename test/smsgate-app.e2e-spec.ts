import { INestApplicationContext } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createAccount } from './helpers/account.factory';
import { createDevice } from './helpers/device.factory';
import { eventually } from './helpers/eventually';
import { createTestApp, urlOf } from './helpers/test-app';
import { startTestWorker } from './helpers/test-worker';
import { SmsGateAppSimulator } from './fakes/smsgate-app-simulator';

const ENV = {
  DEVICE_HEARTBEAT_MS: '500',
  DEVICE_ACK_TIMEOUT_MS: '5000',
  DEVICE_RESULT_TIMEOUT_MS: '10000',
};

/**
 * The whole journey of a phone running SMS Gateway for Android, played by the app's simulator
 * (which knows only the app's source, not Switchboard's code): pasting the URL and token, coming
 * online over the event stream with its SIMs, sending from the SIM a message names, receiving a
 * text into the inbound pipeline through its signed webhook, and reporting its battery by ping.
 */
describe('SMS Gateway for Android app, end to end (app simulator)', () => {
  let app: NestExpressApplication;
  let worker: INestApplicationContext;
  const simulators: SmsGateAppSimulator[] = [];

  beforeAll(async () => {
    app = await createTestApp(ENV);
    worker = await startTestWorker(ENV);
  });
  afterAll(async () => {
    for (const simulator of simulators) await simulator.stop();
    await worker.close();
    await app.close();
  });

  const http = () => request(app.getHttpServer());

  it('pairs, sends from the named SIM, receives a text and reports its battery', async () => {
    const account = await createAccount(app);
    const device = await createDevice(app, account.headers, { name: 'Kitchen phone' });
    const simulator = new SmsGateAppSimulator({
      baseUrl: `${urlOf(app)}/api/mobile/v1`,
      privateToken: device.token,
      name: 'Google/panther',
      simCards: [
        { slotIndex: 0, phoneNumber: '+14155550101', carrierName: 'T-Mobile' },
        { slotIndex: 1, phoneNumber: '+14155550102', carrierName: 'Vodafone' },
      ],
      battery: { level: 64, charging: true, plugged: 'ac' },
    });
    simulators.push(simulator);
    const registration = await simulator.start();
    expect(registration.id).toBe(device.id);

    const viewOf = async () =>
      (await http().get(`/api/v1/devices/${device.id}`).set(account.headers)).body;
    const online = await eventually(viewOf, (view) => view.online === true, 15_000);
    expect(online).toMatchObject({ transport: 'sse', appVersion: '1.68.0' });
    expect(online.simCards.map((card: { simNumber: number }) => card.simNumber)).toEqual([1, 2]);

    // Told on its stream, the app fetched its settings (signing key) and webhook list.
    await eventually(
      async () => simulator.webhookConfigs.map((hook) => hook.event),
      (events) => events.includes('sms:received') && events.includes('system:ping'),
      15_000,
    );

    const sent = await http()
      .post('/api/v1/messages')
      .set(account.headers)
      .send({ to: '+14155550177', body: 'From the second SIM', simNumber: 2 });
    expect(sent.status).toBe(202);
    const delivered = await eventually(
      async () => (await http().get(`/api/v1/messages/${sent.body.id}`).set(account.headers)).body,
      (message) => message.status === 'delivered',
      15_000,
    );
    expect(delivered).toMatchObject({ deviceId: device.id, simNumber: 2 });
    const radio = simulator.radioLog.filter((sms) => sms.messageId === sent.body.id);
    expect(radio).toEqual([expect.objectContaining({ phoneNumber: '+14155550177', simNumber: 2 })]);

    const attempts = await simulator.receiveSms('+14155550188', 'Hello from a real phone');
    expect(attempts.length).toBeGreaterThan(0);
    const inbound = await eventually(
      async () =>
        (
          await http()
            .get('/api/v1/messages')
            .query({ direction: 'inbound', peer: '+14155550188' })
            .set(account.headers)
        ).body.data,
      (messages: Array<{ body: string }>) => messages.length > 0,
      15_000,
    );
    expect(inbound).toEqual([expect.objectContaining({ body: 'Hello from a real phone' })]);

    await simulator.ping();
    await eventually(viewOf, (view) => view.battery === 64 && view.charging === true, 15_000);

    await simulator.stop();
    await eventually(viewOf, (view) => view.online === false, 15_000);
  });
});
