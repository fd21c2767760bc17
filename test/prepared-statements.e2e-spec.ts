import request from 'supertest';
import { PreparedStatements } from '@app/core';
import { createAccount } from './helpers/account.factory';
import { eventually } from './helpers/eventually';
import { TestStack, startStack } from './helpers/test-stack';

// Shows what the connection it runs on has prepared: itself too, when it ran under its name.
const OWN_PREPARED_STATEMENTS = {
  name: 'test_own_prepared_statements',
  text: 'SELECT name FROM pg_prepared_statements',
};

describe.each([
  ['prepared (the default)', 'true'],
  ['unnamed (DATABASE_PREPARED_STATEMENTS=false)', 'false'],
])('hot statements run %s', (_, setting) => {
  let stack: TestStack;
  let headers: Record<string, string>;
  const http = () => request(stack.app.getHttpServer());

  beforeAll(async () => {
    stack = await startStack(undefined, { DATABASE_PREPARED_STATEMENTS: setting });
    headers = (await createAccount(stack.app)).headers;
  });
  afterAll(() => stack.close());

  it('sends single and batched messages end to end', async () => {
    const single = await http()
      .post('/api/v1/messages')
      .set(headers)
      .send({ to: '+14155550401', body: 'one at a time' });
    expect(single.status).toBe(202);
    const batch = await http()
      .post('/api/v1/messages/batch')
      .set(headers)
      .send({
        messages: [
          { to: '+14155550402', body: 'together 1' },
          { to: '+14155550403', body: 'together 2' },
        ],
      });
    expect(batch.status).toBe(202);
    await stack.fake.waitForMessages(3);
    const sent = await eventually(
      async () => (await http().get('/api/v1/messages?status=sent').set(headers)).body.data,
      (messages: unknown[]) => messages.length === 3,
    );
    expect(sent).toHaveLength(3);
  });

  it(`${setting === 'true' ? 'keeps' : 'keeps no'} statements prepared on its connections`, async () => {
    const rows = await stack.app.get(PreparedStatements).query(OWN_PREPARED_STATEMENTS, []);
    const names = rows.map((row) => row.name);
    if (setting === 'true') expect(names).toContain(OWN_PREPARED_STATEMENTS.name);
    else expect(names).toEqual([]);
  });
});
