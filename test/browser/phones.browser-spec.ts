import { PHONE_VIEWPORT } from '../helpers/browser';
import { startBrowserStack, type BrowserStack } from '../helpers/browser-stack';
import {
  expectFitsPhoneWidth,
  signInByApi,
  signUpInBrowser,
  visible,
} from '../helpers/console-browser';
import { eventually } from '../helpers/eventually';
import { SimulatedPhone } from '../fakes/device-simulator';
import { SmsGateAppSimulator } from '../fakes/smsgate-app-simulator';

/**
 * The Phones page as an operator uses it: add a phone, read its token on the page (once), start
 * a simulated phone with it, and watch the page follow the phone live (no reload): online with
 * its battery, a message in flight, then sent in the last minute; then disable, rate, delete.
 */
describe('Phones in the browser', () => {
  let web: BrowserStack;
  const phones: SimulatedPhone[] = [];
  const apps: SmsGateAppSimulator[] = [];

  beforeAll(async () => {
    web = await startBrowserStack();
  });

  afterAll(async () => {
    await Promise.all(phones.map((phone) => phone.close()));
    await Promise.all(apps.map((phone) => phone.stop()));
    await web?.close();
  });

  it('adds a phone, pairs the simulator with the token shown, and follows it live', async () => {
    const app = await web.open();
    const { page } = app;
    const owner = await signUpInBrowser(web, app, 'Grace Hopper');

    await page.getByRole('link', { name: 'Phones' }).click();
    await page.getByRole('heading', { name: 'Phones', level: 1 }).waitFor();
    await visible(page.getByText('No phones yet.'));
    await app.assertAccessible();
    await expectFitsPhoneWidth(app);
    await app.screenshots('phones-empty');

    await page.getByLabel('Phone name').fill('Office Pixel');
    await page.getByRole('button', { name: 'Add phone' }).click();

    // The token, once, with the app's pairing: API URL and Private Token as text and QR codes.
    const pairing = page.getByRole('region', { name: 'Device token' });
    await visible(pairing.getByText('this is the only time it is shown'));
    const token = (await pairing.locator('.copy-value').first().textContent())!.trim();
    expect(token).toMatch(/^sbd_/);
    await visible(pairing.getByText(`${web.baseUrl}/api/mobile/v1`));
    await visible(pairing.getByRole('img', { name: 'QR code of the API URL' }));
    await visible(pairing.getByRole('img', { name: 'QR code of the private token' }));
    const qrPath = await pairing
      .getByRole('img', { name: 'QR code of the private token' })
      .locator('path')
      .getAttribute('d');
    expect(qrPath!.length).toBeGreaterThan(1000);
    await app.assertAccessible();
    await expectFitsPhoneWidth(app);
    await app.screenshots('phones-pairing-app');

    await pairing.getByRole('button', { name: 'Your own app' }).click();
    await visible(pairing.getByText(`${web.baseUrl.replace(/^http/, 'ws')}/ws/devices`));
    await pairing.getByRole('button', { name: 'No phone: simulator' }).click();
    await visible(
      pairing.getByText(
        `npm run device:sim -- --url ${web.baseUrl.replace(/^http/, 'ws')}/ws/devices --token ${token}`,
      ),
    );
    await app.assertAccessible();
    await expectFitsPhoneWidth(app);
    await app.screenshots('phones-pairing-simulator');

    // Once dismissed, the token is gone from the page for good.
    await pairing.getByRole('button', { name: 'Done, I have saved it' }).click();
    expect(await page.getByText(token).count()).toBe(0);
    const card = page.getByRole('listitem', { name: 'Office Pixel' });
    await visible(card.getByText('Offline'));

    // The simulator connects with the token read off the page; the card follows without reload.
    const phone = new SimulatedPhone({
      url: web.baseUrl.replace(/^http/, 'ws'),
      token,
      answer: 'hold',
      device: { model: 'Pixel 8', appVersion: '2.1.0' },
      status: { battery: 73, charging: true, signal: 3 },
      simCards: [
        { slotIndex: 0, simNumber: 1, carrierName: 'Carrier One', phoneNumber: '+14155550142' },
      ],
    });
    phones.push(phone);
    await phone.connect();
    await visible(card.getByText('Online'));
    await visible(card.getByText('73%, charging'));
    await visible(card.getByText('3 of 4'));
    await visible(card.getByText('Pixel 8 · Android 14 · app 2.1.0'));
    await visible(card.getByText(/SIM 1 · Carrier One · \+14155550142/));
    await visible(card.getByText('WebSocket (/ws/devices)'));

    // A message sent through it: in flight while the phone holds it, then sent.
    const accessToken = await signInByApi(web, owner, 1);
    const sent = await fetch(`${web.baseUrl}/api/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ to: '+14155550199', body: 'Hello from the phone', route: 'device' }),
    });
    expect(sent.status).toBe(202);
    await phone.until(() => phone.heldCount === 1, 15_000, 'the send held');
    await visible(inFlight(card, '1'));
    expect(phone.releaseHeld()).toBe(1);
    await visible(inFlight(card, '0'));
    await visible(card.getByText('1 of 20'));
    await app.assertAccessible();
    await expectFitsPhoneWidth(app);
    await app.screenshots('phones-online');

    // A status frame is a device.updated event: the battery changes on the page.
    phone.sendStatus({ battery: 41, charging: false });
    await visible(card.getByText('41%'));
    app.assertNoConsoleErrors();
  });

  it('pairs the SMS Gateway for Android app with the API URL and Private Token shown', async () => {
    const app = await web.open(PHONE_VIEWPORT);
    const { page } = app;
    const owner = await signUpInBrowser(web, app, 'Dorothy Vaughan');
    await page.getByRole('link', { name: 'Phones' }).click();
    await page.getByLabel('Phone name').fill('Warehouse phone');
    await page.getByRole('button', { name: 'Add phone' }).click();

    // What a person types into the app's Cloud server settings, read off the page.
    const pairing = page.getByRole('region', { name: 'Device token' });
    const shown = async (label: string) =>
      (await pairing
        .locator('.copy-field')
        .filter({ has: page.getByText(label, { exact: true }) })
        .locator('.copy-value')
        .textContent())!.trim();
    const apiUrl = await shown('API URL');
    const privateToken = await shown('Private Token');
    expect(apiUrl).toBe(`${web.baseUrl}/api/mobile/v1`);
    await pairing.getByRole('button', { name: 'Done, I have saved it' }).click();

    const phone = new SmsGateAppSimulator({
      baseUrl: apiUrl,
      privateToken,
      name: 'Google/Pixel 7',
      simCards: [{ slotIndex: 0, phoneNumber: '+14155550177', carrierName: 'Carrier Two' }],
    });
    apps.push(phone);
    await phone.start();
    const card = page.getByRole('listitem', { name: 'Warehouse phone' });
    await visible(card.getByText('Online'));
    await visible(card.getByText('SMS Gateway app (event stream)'));

    // Its ping (after it picked up Switchboard's webhooks) brings the battery and connection.
    await phone.syncWebhooks();
    phone.setBattery({ level: 64, charging: true, plugged: 'usb' });
    await phone.ping();
    await visible(card.getByText('64%, charging'));

    // A message routed to it leaves through the app: sent in the last minute.
    const accessToken = await signInByApi(web, owner, 1);
    const sent = await fetch(`${web.baseUrl}/api/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ to: '+14155550198', body: 'Hello from the app', route: 'device' }),
    });
    expect(sent.status).toBe(202);
    await visible(card.getByText('1 of 20'));
    await eventually(
      async () => phone.radioLog.length,
      (count) => count === 1,
    );
    await app.assertAccessible();
    await expectFitsPhoneWidth(app);
    await app.screenshots('phones-app-online');
    app.assertNoConsoleErrors();
  });

  it('disables, changes the send rate of, replaces the token of and deletes a phone', async () => {
    const app = await web.open(PHONE_VIEWPORT);
    const { page } = app;
    await signUpInBrowser(web, app, 'Mary Jackson');
    await page.getByRole('link', { name: 'Phones' }).click();
    await page.getByLabel('Phone name').fill('Spare phone');
    await page.getByRole('button', { name: 'Add phone' }).click();
    const pairing = page.getByRole('region', { name: 'Device token' });
    const token = (await pairing.locator('.copy-value').first().textContent())!.trim();
    await pairing.getByRole('button', { name: 'Done, I have saved it' }).click();
    const phone = new SimulatedPhone({ url: web.baseUrl.replace(/^http/, 'ws'), token });
    phones.push(phone);
    await phone.connect();
    const card = page.getByRole('listitem', { name: 'Spare phone' });
    await visible(card.getByText('Online'));

    await card.getByRole('button', { name: 'Disable' }).click();
    await visible(card.getByText('Disabled'));
    await card.getByRole('button', { name: 'Enable' }).click();
    await visible(card.getByText('Online'));

    await card.getByRole('button', { name: 'Send rate…' }).click();
    await card.getByLabel('Most SMS per minute').fill('12');
    await card.getByRole('button', { name: 'Save rate' }).click();
    await visible(card.getByText('0 of 12'));

    // A rate the API refuses is named next to the field.
    app.expectFailedRequests(`/api/v1/devices/${phone.deviceId}`);
    await card.getByRole('button', { name: 'Send rate…' }).click();
    await card.getByLabel('Most SMS per minute').fill('0');
    await card.getByRole('button', { name: 'Save rate' }).click();
    await visible(card.locator('.field-error'));
    await app.assertAccessible();
    await expectFitsPhoneWidth(app);
    await app.screenshots('phones-rate-error');

    // Renamed: the card follows; an empty name is refused next to the field.
    await card.getByRole('button', { name: 'Rename…' }).click();
    await card.getByLabel('New name').fill('Spare phone (drawer)');
    await card.getByRole('button', { name: 'Save name' }).click();
    await visible(card.getByRole('heading', { name: 'Spare phone (drawer)' }));
    await card.getByRole('button', { name: 'Rename…' }).click();
    await card.getByLabel('New name').fill('');
    await card.getByRole('button', { name: 'Save name' }).click();
    await visible(card.locator('.field-error'));
    await card.getByRole('button', { name: 'Rename…' }).click();

    // A new token, for one that leaked: the phone is disconnected, the new token is shown once
    // (with the focus on it) and pairs the phone again.
    await card.getByRole('button', { name: 'New token…' }).click();
    await visible(card.getByText('The current one stops working at once'));
    await card.getByRole('button', { name: 'Replace token' }).click();
    const replaced = page.getByRole('region', { name: 'Device token' });
    const newToken = (await replaced.locator('.copy-value').first().textContent())!.trim();
    expect(newToken).toMatch(/^sbd_/);
    expect(newToken).not.toBe(token);
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe(
      'pairing-title',
    );
    await eventually(
      async () => phone.closes.map((close) => close.code),
      (codes) => codes.includes(4003),
    );
    await app.assertAccessible();
    await replaced.getByRole('button', { name: 'Done, I have saved it' }).click();
    await visible(card.getByText('Offline'));
    const repaired = new SimulatedPhone({
      url: web.baseUrl.replace(/^http/, 'ws'),
      token: newToken,
    });
    phones.push(repaired);
    await repaired.connect();
    await visible(card.getByText('Online'));

    await card.getByRole('button', { name: 'Delete…' }).click();
    await visible(card.getByText('Its token stops working at once'));
    await card.getByRole('button', { name: 'Delete phone' }).click();
    await visible(page.getByText('No phones yet.'));
    await eventually(
      async () => repaired.closes.map((close) => close.code),
      (codes) => codes.includes(4003),
    );
    app.assertNoConsoleErrors();
  });
});

function inFlight(card: import('playwright-core').Locator, count: string) {
  return card.locator('.facts > div').filter({ hasText: 'In flight' }).getByText(count, {
    exact: true,
  });
}
