import { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { MessageStatus, RequestedRoute } from '@app/messaging';
import { MessageDraft, MessageRepository } from '@app/messaging/model/message.repository';
import { ALLOWED_PREDECESSORS, STATUS_TIMESTAMP_COLUMN } from '@app/messaging/model/message-status';
import { createAccount } from './helpers/account.factory';
import { createTestApp } from './helpers/test-app';

/**
 * Which status may follow which, written out on its own so that a change to the rule table in
 * the code shows up here as a failing pair. Rows: the status a message is in; columns: the one an
 * update asks for; `x`: the update happens.
 */
const RULES = `
              scheduled queued sending sent delivered undelivered failed expired canceled received
  scheduled       .       .       x     x       .          .         x      x       x        .
  queued          .       .       x     x       x          x         x      x       x        .
  sending         .       .       .     x       x          x         x      x       .        .
  sent            .       .       .     .       x          x         x      .       .        .
  delivered       .       .       .     .       .          .         .      .       .        .
  undelivered     .       .       .     .       x          .         .      .       .        .
  failed          .       .       .     .       .          .         .      .       .        .
  expired         .       .       .     .       .          .         .      .       .        .
  canceled        .       .       .     .       .          .         .      .       .        .
  received        .       .       .     .       .          .         .      .       .        .
`;

function parseRules(table: string): Map<string, boolean> {
  const [header, ...rows] = table
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/));
  const allowed = new Map<string, boolean>();
  for (const [from, ...cells] of rows) {
    cells.forEach((cell, index) => allowed.set(`${from}→${header[index]}`, cell === 'x'));
  }
  return allowed;
}

const STATUSES = Object.values(MessageStatus);
const EXPECTED = parseRules(RULES);
const PAIRS = STATUSES.flatMap((from) => STATUSES.map((to) => ({ from, to })));
const allowed = (from: MessageStatus, to: MessageStatus) => EXPECTED.get(`${from}→${to}`)!;

describe('message status rules', () => {
  let app: NestExpressApplication;
  let repository: MessageRepository;
  let dataSource: DataSource;
  let accountId: string;

  /** One message in each of `statuses`, straight into the table (most cannot be reached by API). */
  const messagesIn = async (statuses: MessageStatus[]) => {
    const drafts = statuses.map(
      (status): MessageDraft => ({
        accountId,
        direction: 'outbound',
        fromNumber: null,
        toNumber: '+14155550170',
        peer: '+14155550170',
        body: `in ${status}`,
        encoding: 'GSM-7',
        segments: 1,
        status,
        routeRequested: RequestedRoute.Twilio,
        requestedDeviceId: null,
        sensitive: false,
        sessionId: null,
        scheduledAt: null,
        expiresAt: null,
      }),
    );
    return (await repository.insertMany(drafts)).map((message) => message.id);
  };
  const rowOf = async (id: string) =>
    (await dataSource.query(`SELECT * FROM messages WHERE id = $1`, [id]))[0];

  beforeAll(async () => {
    app = await createTestApp();
    repository = app.get(MessageRepository);
    dataSource = app.get(DataSource);
    accountId = (await createAccount(app)).account.id;
  });
  afterAll(async () => {
    await app.close();
  });

  it('lists every status in the table, once', () => {
    expect(EXPECTED.size).toBe(STATUSES.length * STATUSES.length);
    expect(PAIRS.every(({ from, to }) => EXPECTED.has(`${from}→${to}`))).toBe(true);
  });

  it.each(STATUSES)('the code allows exactly the listed moves to %s', (to) => {
    const expectedFrom = STATUSES.filter((from) => allowed(from, to));
    expect([...ALLOWED_PREDECESSORS[to]].sort()).toEqual(expectedFrom.sort());
  });

  it(`PostgreSQL applies the rule to all ${PAIRS.length} (from, to) pairs`, async () => {
    const ids = await messagesIn(PAIRS.map(({ from }) => from));
    const before = await Promise.all(ids.map(rowOf));
    const outcomes = await Promise.all(
      PAIRS.map(({ to }, index) => repository.transition(ids[index], to)),
    );

    const wrong: string[] = [];
    for (const [index, { from, to }] of PAIRS.entries()) {
      const row = await rowOf(ids[index]);
      const moves = allowed(from, to);
      const column = STATUS_TIMESTAMP_COLUMN[to];
      const outcome = outcomes[index];
      if (
        (outcome !== null) !== moves ||
        row.status !== (moves ? to : from) ||
        (moves && outcome!.status !== to) ||
        (moves && column !== undefined && row[column] === null) ||
        (!moves && row.updated_at.getTime() !== before[index].updated_at.getTime())
      ) {
        wrong.push(`${from} → ${to}: answered ${outcome?.status ?? null}, stored ${row.status}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('recording a send moves to sent only from a status allowed before it, else keeps the status', async () => {
    const ids = await messagesIn(STATUSES);
    await Promise.all(
      ids.map((id, index) =>
        repository.recordSent(id, {
          route: 'twilio',
          from: '+12015550100',
          providerMessageId: `SM${index}`,
        }),
      ),
    );
    const stored = await Promise.all(ids.map(async (id) => (await rowOf(id)).status));
    expect(stored).toEqual(
      STATUSES.map((from) => (allowed(from, MessageStatus.Sent) ? MessageStatus.Sent : from)),
    );
  });
});
