import { SegmentedMessage } from 'sms-segments-calculator';
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

  it('answers as sms-segments-calculator does, fast path included', () => {
    const alphabet = [
      'a',
      'Z',
      '0',
      ' ',
      '\n',
      '\r',
      '@',
      '£',
      'é',
      'Δ',
      '¿', // GSM-7 basic
      '€',
      '[',
      '{',
      '^',
      '~',
      '|', // GSM-7 extension (2 septets)
      'ж',
      'ç',
      '😀',
      '\u0301',
      '\t', // not GSM-7
    ];
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const library = (body: string) => {
      const measured = new SegmentedMessage(body, 'auto');
      return {
        encoding: measured.encodingName === 'GSM-7' ? 'GSM-7' : 'UCS-2',
        segments: measured.segmentsCount,
      };
    };
    for (let i = 0; i < 600; i++) {
      // Mostly GSM-7 basic, sometimes one other character; lengths around segment boundaries.
      const length = [1, 70, 71, 153, 159, 160, 161, 306, 307, 459, 460, 1600][i % 12];
      const pool = random() < 0.7 ? alphabet.slice(0, 11) : alphabet;
      const body = Array.from({ length }, () => pool[Math.floor(random() * pool.length)]).join('');
      expect(measureSms(body)).toEqual(library(body));
    }
  });
});
