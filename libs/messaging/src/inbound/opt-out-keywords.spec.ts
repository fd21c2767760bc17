import { keywordActionOf } from './opt-out-keywords';

describe('keywordActionOf', () => {
  it.each([
    ['STOP', 'opt-out'],
    ['stop', 'opt-out'],
    [' Stop. ', 'opt-out'],
    ['UNSUBSCRIBE', 'opt-out'],
    ['quit', 'opt-out'],
    ['START', 'opt-in'],
    ['unstop', 'opt-in'],
    ['HELP', 'help'],
  ])('reads %j as %s', (body, action) => {
    expect(keywordActionOf(body)?.action).toBe(action);
  });

  it.each(['stop by later', 'STOPPED', 'please help me', '', 'LEAVE'])(
    'leaves %j to the conversation',
    (body) => {
      expect(keywordActionOf(body)).toBeNull();
    },
  );
});
