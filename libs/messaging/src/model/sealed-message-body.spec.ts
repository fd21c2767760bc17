import { messageSealingKey, openMessageBody, sealMessageBody } from './sealed-message-body';

describe('sealed message bodies', () => {
  const key = messageSealingKey('a secret of at least thirty-two bytes, for tests');
  const text = 'Your Switchboard code is 123456. It expires in 10 minutes.';

  it('opens what it sealed, for the same recipient, without showing the text sealed', () => {
    const sealed = sealMessageBody(key, text, '+14155550123');
    expect(sealed).not.toContain('123456');
    expect(openMessageBody(key, sealed, '+14155550123')).toBe(text);
    // A fresh IV each time: two seals of one text differ.
    expect(sealMessageBody(key, text, '+14155550123')).not.toBe(sealed);
  });

  it('does not open for another recipient, another key, or an altered text', () => {
    const sealed = sealMessageBody(key, text, '+14155550123');
    expect(openMessageBody(key, sealed, '+14155550124')).toBeNull();
    expect(openMessageBody(messageSealingKey('another secret'), sealed, '+14155550123')).toBeNull();
    const [format, iv, body, tag] = sealed.split('.');
    const flipped = Buffer.from(body, 'base64url');
    flipped[0] ^= 1;
    expect(
      openMessageBody(
        key,
        [format, iv, flipped.toString('base64url'), tag].join('.'),
        '+14155550123',
      ),
    ).toBeNull();
    expect(
      openMessageBody(key, [format, iv, body, tag.slice(0, 8)].join('.'), '+14155550123'),
    ).toBeNull();
    expect(openMessageBody(key, 'not sealed', '+14155550123')).toBeNull();
  });
});
