import { uniquePhone } from '../helpers/auth.factory';
import { PHONE_VIEWPORT } from '../helpers/browser';
import { startBrowserStack, type BrowserStack } from '../helpers/browser-stack';
import { eventually } from '../helpers/eventually';
import { postInboundSms } from '../helpers/twilio-webhook';
import { signUpInBrowser, visible } from '../helpers/web-sign-up';

describe('Chats in the browser', () => {
  let web: BrowserStack;

  beforeAll(async () => {
    web = await startBrowserStack();
  });

  afterAll(async () => {
    await web?.close();
  });

  /** The text the fake Twilio received for `to` with `body`, once the worker has sent it. */
  const textedTo = (to: string, body: string) =>
    eventually(
      async () => web.stack.fake.messagesTo(to).find((text) => text.body === body),
      (text) => !!text,
    ).then((text) => text!);

  it('starts a chat; a reply appears in the open thread, and the bubble turns delivered, live', async () => {
    const app = await web.open();
    const { page } = app;
    await signUpInBrowser(web, app, 'Ada Lovelace');
    await app.assertAccessible();
    await app.screenshots('chats-empty-list');

    const friend = uniquePhone();
    await page.getByText('New chat', { exact: true }).click();
    await page.getByLabel('Phone number to text').fill(friend);
    await page.getByRole('button', { name: 'Start chat' }).click();
    await page.waitForURL(`**/chats/${encodeURIComponent(friend)}`);
    await visible(page.getByText('No messages yet. Say hello.'));

    // The send box counts as you type: GSM-7 until a character outside it (an emoji) appears.
    const box = page.getByLabel(`Message to ${friend}`);
    await box.fill('a'.repeat(161));
    await visible(page.getByText('2 SMS · GSM-7 · 145 left'));
    await box.fill('Dinner at 7? 🍝');
    await visible(page.getByText('1 SMS · UCS-2 · 55 left'));
    await app.assertAccessible();
    await page.getByRole('button', { name: 'Send' }).click();

    const sent = page.locator('.bubble-sent').filter({ hasText: 'Dinner at 7? 🍝' });
    await visible(sent);
    expect(await box.inputValue()).toBe('');
    const text = await textedTo(friend, 'Dinner at 7? 🍝');
    // Twilio accepted it: the worker marks it sent, and the bubble follows without a reload.
    await visible(sent.getByText('Sent', { exact: true }));

    await web.stack.fake.sendStatusCallback(text.sid, 'delivered');
    await visible(sent.getByText('Delivered', { exact: true }));

    // The friend answers to the number the text came from: it shows in the open thread.
    await postInboundSms(web.stack.app, web.stack.fake, {
      from: friend,
      to: text.from!,
      body: 'Yes! See you there',
    }).expect(200);
    await visible(page.locator('.bubble-received').filter({ hasText: 'Yes! See you there' }));
    // Read while open: the list shows the reply with no unread badge.
    const row = page.getByRole('link', { name: new RegExp(friend.replace('+', '\\+')) });
    await visible(row.filter({ hasText: 'Yes! See you there' }));
    await eventually(
      () => row.locator('.thread-unread').count(),
      (count) => count === 0,
    );

    await app.assertAccessible();
    await app.screenshots('chats-thread');
    app.assertNoConsoleErrors();
  });

  it('counts unread texts in the list, live, and clears them when the thread is opened', async () => {
    const app = await web.open(PHONE_VIEWPORT);
    const { page } = app;
    await signUpInBrowser(web, app, 'Grace Hopper');
    const friend = uniquePhone();
    await page.getByText('New chat', { exact: true }).click();
    await page.getByLabel('Phone number to text').fill(friend);
    await page.getByRole('button', { name: 'Start chat' }).click();
    await page.getByLabel(`Message to ${friend}`).fill('Are you in?');
    await page.getByRole('button', { name: 'Send' }).click();
    const text = await textedTo(friend, 'Are you in?');

    await page.getByRole('link', { name: '← Chats' }).click();
    await page.getByRole('heading', { name: 'Chats', level: 1 }).waitFor();
    for (const body of ['In!', 'Bringing cake']) {
      await postInboundSms(web.stack.app, web.stack.fake, {
        from: friend,
        to: text.from!,
        body,
      }).expect(200);
    }
    const row = page.getByRole('link', { name: new RegExp(friend.replace('+', '\\+')) });
    await visible(row.getByText('2 unread'));
    await visible(row.filter({ hasText: 'Bringing cake' }));
    await app.assertAccessible();
    await app.screenshots('chats-list-unread');

    await row.click();
    await visible(page.locator('.bubble-received').filter({ hasText: 'Bringing cake' }));
    await page.getByRole('link', { name: '← Chats' }).click();
    await visible(row.filter({ hasText: 'Bringing cake' }));
    await eventually(
      () => row.locator('.thread-unread').count(),
      (count) => count === 0,
    );
    app.assertNoConsoleErrors();
  });

  it('adds, renames and deletes contacts, whose names label their chats', async () => {
    const app = await web.open();
    const { page } = app;
    await signUpInBrowser(web, app, 'Katherine Johnson');
    const friend = uniquePhone();

    await page.getByText(/^Contacts/).click();
    const add = page.getByRole('form', { name: 'Add a contact' });
    // A number that is not one is refused next to the field.
    app.expectFailedRequests('/api/v1/contacts');
    await add.getByLabel('Contact name').fill('Dorothy');
    await add.getByLabel('Contact phone').fill('12');
    await add.getByRole('button', { name: 'Add contact' }).click();
    await visible(add.locator('.field-error, .alert').filter({ hasText: /phone/i }));
    await app.assertAccessible();

    await add.getByLabel('Contact phone').fill(friend);
    await add.getByRole('button', { name: 'Add contact' }).click();
    const contacts = page.getByRole('list', { name: 'Contacts' });
    await visible(contacts.getByText('Dorothy'));

    await contacts.getByRole('button', { name: 'Rename Dorothy' }).click();
    await contacts.getByLabel(`New name for ${friend}`).fill('Dorothy Vaughan');
    await contacts.getByRole('button', { name: 'Save' }).click();
    await visible(contacts.getByText('Dorothy Vaughan'));
    await app.assertAccessible();
    await app.screenshots('chats-contacts');

    // Start a chat from the contact: the thread and then the list call them by name.
    await contacts.getByRole('link', { name: 'Chat with Dorothy Vaughan' }).click();
    await page.getByRole('heading', { name: 'Dorothy Vaughan' }).waitFor();
    await page.getByLabel('Message to Dorothy Vaughan').fill('Hello Dorothy');
    await page.getByRole('button', { name: 'Send' }).click();
    await visible(page.getByRole('link', { name: /Dorothy Vaughan.*Hello Dorothy/ }));

    await contacts.getByRole('button', { name: 'Delete Dorothy Vaughan' }).click();
    await contacts.getByRole('button', { name: 'Delete Dorothy Vaughan?' }).click();
    await visible(page.getByRole('link', { name: new RegExp(friend.replace('+', '\\+')) }));
    await eventually(
      () => contacts.getByText('Dorothy Vaughan').count(),
      (count) => count === 0,
    );
    app.assertNoConsoleErrors();
  });

  it('says why a text failed: the friend opted out with STOP', async () => {
    const app = await web.open(PHONE_VIEWPORT);
    const { page } = app;
    await signUpInBrowser(web, app, 'Mary Jackson');
    const friend = uniquePhone();
    await page.getByText('New chat', { exact: true }).click();
    // A number without its country code is refused before asking the server.
    await page.getByLabel('Phone number to text').fill('555 0123');
    await page.getByRole('button', { name: 'Start chat' }).click();
    await visible(page.getByText('Use the international format'));
    await page.getByLabel('Phone number to text').fill(friend);
    await page.getByRole('button', { name: 'Start chat' }).click();
    await page.getByLabel(`Message to ${friend}`).fill('Newsletter #1');
    await page.getByRole('button', { name: 'Send' }).click();
    const text = await textedTo(friend, 'Newsletter #1');

    await postInboundSms(web.stack.app, web.stack.fake, {
      from: friend,
      to: text.from!,
      body: 'STOP',
    }).expect(200);
    await visible(page.locator('.bubble-received').filter({ hasText: 'STOP' }));
    await page.getByLabel(`Message to ${friend}`).fill('Newsletter #2');
    await page.getByRole('button', { name: 'Send' }).click();
    const refused = page.locator('.bubble-sent').filter({ hasText: 'Newsletter #2' });
    await visible(refused.getByText('Failed', { exact: true }));
    await visible(refused.getByText('They opted out of your texts (they replied STOP).'));
    await app.assertAccessible();
    await app.screenshots('chats-thread-opted-out');
    app.assertNoConsoleErrors();
  });
});

describe('Chats in the browser, at the sending limit', () => {
  let web: BrowserStack;

  beforeAll(async () => {
    web = await startBrowserStack({ SIGNUP_SEND_LIMIT_PER_MINUTE: '1' });
  });

  afterAll(async () => {
    await web?.close();
  });

  it('says the limit is reached, and when to try again, under the send box', async () => {
    const app = await web.open(PHONE_VIEWPORT);
    const { page } = app;
    await signUpInBrowser(web, app, 'Hedy Lamarr');
    const friend = uniquePhone();
    await page.getByText('New chat', { exact: true }).click();
    await page.getByLabel('Phone number to text').fill(friend);
    await page.getByRole('button', { name: 'Start chat' }).click();
    const box = page.getByLabel(`Message to ${friend}`);
    await box.fill('One a minute');
    await page.getByRole('button', { name: 'Send' }).click();
    await visible(page.locator('.bubble-sent').filter({ hasText: 'One a minute' }));

    app.expectFailedRequests(`/api/v1/conversations/${encodeURIComponent(friend)}/messages`);
    await box.fill('And another');
    await page.getByRole('button', { name: 'Send' }).click();
    await visible(
      page.getByRole('alert').filter({ hasText: /You reached your sending limit\. Try again in/ }),
    );
    // Nothing is lost: the refused text stays in the box to send later.
    expect(await box.inputValue()).toBe('And another');
    await app.assertAccessible();
    await app.screenshots('chats-send-limit');
    app.assertNoConsoleErrors();
  });
});
