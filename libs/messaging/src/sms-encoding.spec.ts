import { measureSms } from './sms-encoding';

describe('measureSms', () => {
  it('counts plain text as GSM-7, 160 characters per single segment', () => {
    expect(measureSms('Hello world')).toEqual({ encoding: 'GSM-7', segments: 1 });
    expect(measureSms('a'.repeat(160))).toEqual({ encoding: 'GSM-7', segments: 1 });
    expect(measureSms('a'.repeat(161))).toEqual({ encoding: 'GSM-7', segments: 2 });
  });

  it('switches to UCS-2 for characters outside GSM-7, 70 per single segment', () => {
    expect(measureSms('Привет')).toEqual({ encoding: 'UCS-2', segments: 1 });
    expect(measureSms('é'.repeat(10) + '😀')).toMatchObject({ encoding: 'UCS-2' });
    expect(measureSms('ж'.repeat(71))).toEqual({ encoding: 'UCS-2', segments: 2 });
  });
});
