import { measureSms } from '@app/messaging/model/sms-encoding';
import { countSms } from '../../apps/web/src/pages/chats/sms-segments';

describe('countSms (the web send box)', () => {
  it('counts GSM-7 texts at 160, then 153 per part', () => {
    expect(countSms('')).toEqual({ encoding: 'GSM-7', segments: 0, remaining: 160 });
    expect(countSms('Hello')).toEqual({ encoding: 'GSM-7', segments: 1, remaining: 155 });
    expect(countSms('a'.repeat(160))).toEqual({ encoding: 'GSM-7', segments: 1, remaining: 0 });
    expect(countSms('a'.repeat(161))).toEqual({ encoding: 'GSM-7', segments: 2, remaining: 145 });
    expect(countSms('a'.repeat(306))).toEqual({ encoding: 'GSM-7', segments: 2, remaining: 0 });
    expect(countSms('a'.repeat(307)).segments).toBe(3);
  });

  it('counts the extension characters (€, braces, …) as two septets each', () => {
    expect(countSms('€'.repeat(80))).toEqual({ encoding: 'GSM-7', segments: 1, remaining: 0 });
    expect(countSms('{'.repeat(81)).segments).toBe(2);
  });

  it('switches the whole text to UCS-2 for one character outside GSM-7', () => {
    expect(countSms('Привет')).toEqual({ encoding: 'UCS-2', segments: 1, remaining: 64 });
    expect(countSms('a'.repeat(69) + 'ж')).toEqual({
      encoding: 'UCS-2',
      segments: 1,
      remaining: 0,
    });
    expect(countSms('a'.repeat(70) + 'ж')).toEqual({
      encoding: 'UCS-2',
      segments: 2,
      remaining: 63,
    });
    // An emoji outside the basic plane is two UTF-16 code units.
    expect(countSms('😀'.repeat(35))).toEqual({ encoding: 'UCS-2', segments: 1, remaining: 0 });
  });

  it('agrees with what the API charges for', () => {
    const bodies = [
      'See you at 6?',
      'a'.repeat(160),
      'a'.repeat(161),
      'x'.repeat(459),
      'Price: 5€ [approx] ~ {ok}',
      '€'.repeat(100),
      'Ça va? Ñandú àèìòù',
      'Привет, как дела?',
      'b'.repeat(70),
      'c'.repeat(69) + 'ж',
      'd'.repeat(140) + 'ж',
      'ok 👍',
      '中文短信测试'.repeat(20),
    ];
    for (const body of bodies) {
      const { encoding, segments } = countSms(body);
      expect({ body, encoding, segments }).toEqual({ body, ...measureSms(body) });
    }
  });
});
