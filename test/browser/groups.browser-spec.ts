import { PHONE_VIEWPORT } from '../helpers/browser';
import { startBrowserStack, type BrowserStack } from '../helpers/browser-stack';
import { eventually } from '../helpers/eventually';
import { signUpInBrowser, visible } from '../helpers/web-sign-up';

describe('Groups in the browser', () => {
  let web: BrowserStack;
  let groupCounter = 0;
  const uniqueName = (stem: string) => `${stem}-${Date.now().toString(36)}-${groupCounter++}`;

  beforeAll(async () => {
    web = await startBrowserStack();
  });

  afterAll(async () => {
    await web?.close();
  });

  it('two members in two browsers see each other’s posts live', async () => {
    const alice = await web.open();
    const bob = await web.open(PHONE_VIEWPORT);
    await signUpInBrowser(web, alice, 'Alice Ball');
    const bobPhone = await signUpInBrowser(web, bob, 'Bob Moses');
    const name = uniqueName('book-club');

    // Alice creates a public group and lands in its chat, with her number for it.
    await alice.page.getByRole('link', { name: 'Groups' }).click();
    await alice.page.getByRole('heading', { name: 'Groups', level: 1 }).waitFor();
    await visible(alice.page.getByText('You are in no group yet.'));
    await alice.assertAccessible();
    await alice.screenshots('groups-empty');
    await alice.page.getByText('Create a group', { exact: true }).click();
    await alice.page.getByLabel('Name of the new group').fill(name);
    await alice.page.getByRole('button', { name: 'Create group' }).click();
    await alice.page.waitForURL(`**/groups/${name}`);
    await visible(alice.page.getByText(/Text \+\d+ to reach the group/));
    await visible(alice.page.getByText('Members: Alice Ball'));

    // Bob finds it by part of its name and joins; the welcome comes from his number for it.
    await bob.page.getByRole('link', { name: 'Groups' }).click();
    await bob.page.getByLabel('Group name contains').fill(name.slice(0, 12));
    await bob.page.getByRole('button', { name: 'Search' }).click();
    await bob.assertAccessible();
    await bob.screenshots('groups-search');
    await bob.page.getByRole('button', { name: `Join ${name}` }).click();
    await bob.page.waitForURL(`**/groups/${name}`);
    const welcome = await eventually(
      async () => web.stack.fake.messagesTo(bobPhone).find((text) => text.body.includes(name)),
      (text) => !!text,
    );
    await visible(bob.page.getByText(`Text ${welcome!.from} to reach the group`));
    await visible(bob.page.getByText('Members: Alice Ball, Bob Moses'));
    // Alice's page learns of Bob without a reload only once something is said; a post does.

    await alice.page.getByLabel(`Post to ${name}`).fill('First meeting on Friday?');
    await alice.page.getByRole('button', { name: 'Send' }).click();
    const fromAlice = bob.page.locator('.bubble').filter({ hasText: 'First meeting on Friday?' });
    await visible(fromAlice);
    await visible(fromAlice.getByText('Alice Ball'));

    await bob.page.getByLabel(`Post to ${name}`).fill('Friday works 👍');
    await bob.page.getByRole('button', { name: 'Send' }).click();
    const fromBob = alice.page.locator('.bubble').filter({ hasText: 'Friday works 👍' });
    await visible(fromBob);
    await visible(fromBob.getByText('Bob Moses'));
    await visible(alice.page.getByText('Members: Alice Ball, Bob Moses'));

    for (const app of [alice, bob]) {
      await app.assertAccessible();
      app.assertNoConsoleErrors();
    }
    await alice.screenshots('groups-chat');
    await bob.screenshots('groups-chat-member');
  });

  it('a private group is joined with its invite code; a wrong one is refused in words; leaving', async () => {
    const owner = await web.open();
    const guest = await web.open(PHONE_VIEWPORT);
    await signUpInBrowser(web, owner, 'Olga Owner');
    await signUpInBrowser(web, guest, 'Gus Guest');
    const name = uniqueName('hush');

    await owner.page.getByRole('link', { name: 'Groups' }).click();
    await owner.page.getByText('Create a group', { exact: true }).click();
    await owner.page.getByLabel('Name of the new group').fill(name);
    await owner.page.getByLabel(/Private/).check();
    await owner.page.getByRole('button', { name: 'Create group' }).click();
    await owner.page.waitForURL(`**/groups/${name}`);
    await owner.page.getByRole('button', { name: 'Show the invite code' }).click();
    const code = (await owner.page.locator('.invite-code').textContent())!;
    expect(code).toMatch(/^\w{8,}$/);
    await owner.assertAccessible();
    await owner.screenshots('groups-private');

    // Not found by search; a wrong code is refused next to the form.
    await guest.page.getByRole('link', { name: 'Groups' }).click();
    await guest.page.getByLabel('Group name contains').fill(name);
    await guest.page.getByRole('button', { name: 'Search' }).click();
    await visible(guest.page.getByText('No public group matches.'));
    guest.expectFailedRequests(`/api/v1/groups/${name}/members`);
    await guest.page.getByText('Join with an invite code', { exact: true }).click();
    await guest.page.getByLabel('Name of the group to join').fill(name);
    await guest.page.getByRole('textbox', { name: 'Invite code' }).fill('wrong-code');
    await guest.page.getByRole('button', { name: 'Join group' }).click();
    await visible(guest.page.getByRole('alert').filter({ hasText: 'No group by that name takes' }));
    await guest.assertAccessible();
    await guest.screenshots('groups-join-refused');

    await guest.page.getByRole('textbox', { name: 'Invite code' }).fill(code);
    await guest.page.getByRole('button', { name: 'Join group' }).click();
    await guest.page.waitForURL(`**/groups/${name}`);
    await visible(guest.page.getByText('Members: Olga Owner, Gus Guest'));
    // On a phone the list and the open group take turns.
    await guest.page.getByRole('link', { name: '← Groups' }).click();
    await guest.page.getByRole('list', { name: 'Your groups' }).getByText(name).click();

    await guest.page.getByRole('button', { name: 'Leave the group' }).click();
    await guest.page.getByRole('button', { name: `Leave ${name} now` }).click();
    await guest.page.waitForURL(/\/groups$/);
    await visible(guest.page.getByText('You are in no group yet.'));
    owner.assertNoConsoleErrors();
    guest.assertNoConsoleErrors();
  });
});
