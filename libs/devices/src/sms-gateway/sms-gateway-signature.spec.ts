import { isSmsGatewaySignatureValid, signSmsGatewayWebhook } from './sms-gateway-signature';

describe('SMS Gateway for Android webhook signatures', () => {
  const body = Buffer.from('{"id":"e1","event":"system:ping"}', 'utf8');
  // Computed apart (Python's hmac): key as UTF-8 bytes, body then timestamp, lowercase hex.
  const expected = '972a011ccc5e13f2eb6d4fb6bfb2c2a5cc5feadf761f5f66522af68c92ddfd28';

  it('signs the body followed by the timestamp, keyed with the key’s UTF-8 bytes', () => {
    expect(signSmsGatewayWebhook('k3y-é', body, '1764942000')).toBe(expected);
  });

  it('accepts the signature in either case and refuses anything else', () => {
    expect(isSmsGatewaySignatureValid('k3y-é', body, '1764942000', expected)).toBe(true);
    expect(isSmsGatewaySignatureValid('k3y-é', body, '1764942000', expected.toUpperCase())).toBe(
      true,
    );
    expect(isSmsGatewaySignatureValid('k3y-é', body, '1764942001', expected)).toBe(false);
    expect(isSmsGatewaySignatureValid('k3y-e', body, '1764942000', expected)).toBe(false);
    expect(isSmsGatewaySignatureValid('k3y-é', body, '1764942000', expected.slice(2))).toBe(false);
    expect(isSmsGatewaySignatureValid('k3y-é', body, '1764942000', `${expected}00`)).toBe(false);
    expect(isSmsGatewaySignatureValid('k3y-é', body, '1764942000', 'zz'.repeat(32))).toBe(false);
  });
});
