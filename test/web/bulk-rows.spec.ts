import {
  MAX_BODY_LENGTH,
  normalisePhone,
  parseSendAt,
  readBulkFile,
} from '../../apps/web/src/pages/messages/bulk-rows';

const NOW = new Date('2026-12-05T12:00:00Z');

describe('readBulkFile', () => {
  it('reads good rows, scheduling those with a future sendAt', () => {
    const file = readBulkFile(
      'to,body,sendAt\n+14155550123,Hello,\n"+1 (415) 555-0124","Hi, there",2026-12-24T18:00:00Z\n',
      NOW,
    );
    expect(file.problems).toEqual([]);
    expect(file.rows).toEqual([
      { line: 2, to: '+14155550123', body: 'Hello', scheduledAt: undefined, errors: [] },
      {
        line: 3,
        to: '+14155550124',
        body: 'Hi, there',
        scheduledAt: '2026-12-24T18:00:00.000Z',
        errors: [],
      },
    ]);
  });

  it('names every bad row by its line and says what is wrong', () => {
    const file = readBulkFile(
      [
        'To,Body,SendAt',
        '+14155550123,ok,',
        '12345,no plus,',
        '+14155550125,  ,',
        '+14155550126,old,2026-12-01T10:00:00Z',
        '+14155550127,bad date,tomorrow',
        `+14155550128,${'x'.repeat(MAX_BODY_LENGTH + 1)},`,
        ',no number,',
      ].join('\n'),
      NOW,
    );
    const errors = file.rows.map((row) => [row.line, row.errors]);
    expect(errors).toEqual([
      [2, []],
      [3, [expect.stringContaining('not a phone number in international format')]],
      [4, ['The body is empty.']],
      [5, ['sendAt 2026-12-01T10:00:00Z is in the past.']],
      [6, [expect.stringContaining('"tomorrow" in sendAt is not a date and time')]],
      [7, [`The body is too long: ${MAX_BODY_LENGTH + 1} characters, at most ${MAX_BODY_LENGTH}.`]],
      [8, ['No phone number in `to`.']],
    ]);
  });

  it('flags a row with more fields than the header (an unquoted comma)', () => {
    const file = readBulkFile('to,body\n+14155550123,Hello, world\n', NOW);
    expect(file.rows[0].errors).toEqual([expect.stringContaining('quote a body')]);
  });

  it('refuses a file without the to and body columns, or that is not CSV', () => {
    expect(readBulkFile('phone,text\n+1,x', NOW).problems).toEqual([
      expect.stringContaining('`to` and `body` are missing'),
    ]);
    expect(readBulkFile('', NOW).problems).toEqual(['The file is empty.']);
    expect(readBulkFile('to,body\n+1,"x', NOW).problems).toEqual([
      'This is not valid CSV. Line 2: a quoted field is never closed.',
    ]);
  });

  it('names columns it does not use', () => {
    expect(readBulkFile('to,body,name\n+14155550123,x,Ada', NOW).ignoredColumns).toEqual(['name']);
  });
});

describe('parseSendAt', () => {
  it('reads ISO dates with an offset exactly', () => {
    expect(parseSendAt('2026-12-24T18:00+01:00')?.toISOString()).toBe('2026-12-24T17:00:00.000Z');
    expect(parseSendAt('2026-12-24 18:00:30Z')?.toISOString()).toBe('2026-12-24T18:00:30.000Z');
    expect(parseSendAt('2026-12-24T18:00:00+0100')?.toISOString()).toBe('2026-12-24T17:00:00.000Z');
  });

  it('reads a time without offset as local time', () => {
    expect(parseSendAt('2026-12-24T18:00')?.getTime()).toBe(
      new Date(2026, 11, 24, 18, 0).getTime(),
    );
  });

  it('refuses what is not a real date and time', () => {
    for (const text of ['2026-02-30T10:00Z', '2026-13-01T10:00Z', '24/12/2026 18:00', 'soon', '']) {
      expect(parseSendAt(text)).toBeNull();
    }
  });
});

describe('normalisePhone', () => {
  it('takes out what people put in numbers', () => {
    expect(normalisePhone(' +1 (415) 555-01.23 ')).toBe('+14155550123');
  });
});
