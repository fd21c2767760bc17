import { keywordActionOf } from './opt-out-keywords';

describe('keywordActionOf', () => {
  it.each([
    ['STOP', 'opt-out'],
    ['stop', 'opt-out'],
    [' Stop. ', 'opt-out'],
    ['STOP!!!...', 'opt-out'],
    ['UNSUBSCRIBE', 'opt-out'],
    ['quit', 'opt-out'],
    ['START', 'opt-in'],
    ['unstop', 'opt-in'],
    ['HELP', 'help'],
  ])('reads %j as %s', (body, action) => {
    expect(keywordActionOf(body)?.action).toBe(action);
  });

  it.each(['stop by later', 'STOPPED', 'please help me', '', 'LEAVE', '...', 'STOP. !x'])(
    'leaves %j to the conversation',
    (body) => {
      expect(keywordActionOf(body)).toBeNull();
    },
  );

  it('reads a keyword followed by 10,000 dots, and not 10,000 dots followed by a letter', () => {
    expect(keywordActionOf(`STOP${'.'.repeat(10_000)}`)?.action).toBe('opt-out');
    expect(keywordActionOf(`${'.'.repeat(10_000)}x`)).toBeNull();
  });

  // CPU time of this process (not wall time: a busy machine does not inflate it), against a bound
  // a hundred times what a linear pass needs and a tenth of what the former regex spent on these
  // bodies (quadratic: ~0.1 s each).
  it('reads bodies an attacker shapes in linear time', () => {
    const hostile = [
      `${'.'.repeat(9_999)}x`,
      `${'!'.repeat(9_999)} `,
      `${'.!'.repeat(4_999)}a.`,
      `STOP${'.'.repeat(9_995)}x`,
    ];
    const before = process.cpuUsage();
    for (let round = 0; round < 5; round++) {
      for (const body of hostile) expect(keywordActionOf(body)).toBeNull();
    }
    const spent = process.cpuUsage(before);
    expect((spent.user + spent.system) / 1000).toBeLessThan(200);
  });
});
