import { appVersionOf } from './app-version';

describe('appVersionOf', () => {
  it("reads the SMS Gateway app's version from its User-Agent, and nothing from other clients", () => {
    expect(appVersionOf('me.capcom.smsgateway/1.68.0')).toBe('1.68.0');
    expect(appVersionOf('me.capcom.smsgateway/1.53.0-insecure Ktor')).toBe('1.53.0-insecure');
    expect(appVersionOf('okhttp/4.12.0')).toBeNull();
    expect(appVersionOf(undefined)).toBeNull();
    expect(appVersionOf('me.capcom.smsgateway/')).toBeNull();
    expect(appVersionOf(`me.capcom.smsgateway/${'9'.repeat(40)}`)).toBeNull();
    expect(appVersionOf('xme.capcom.smsgateway/1.0')).toBeNull();
  });
});
