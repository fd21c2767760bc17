import { AppConfig } from '@app/core';
import { DeviceSigningKeys } from './device-signing-keys.service';
import { SmsGatewaySettingsService } from './sms-gateway-settings.service';

describe('SmsGatewaySettingsService.webhooksFor', () => {
  const device = { id: '0d8f5a52-4b7e-4c09-9d0e-3f2a61c7b9a4', accountId: 'a' };
  // webhooksFor reads no key: the signing keys are never reached here.
  const settingsWith = (env: Record<string, string>) =>
    new SmsGatewaySettingsService({} as DeviceSigningKeys, AppConfig.from(env));

  it('builds the URLs from MOBILE_PUBLIC_URL when set, whatever origin the phone called', () => {
    const hooks = settingsWith({
      MOBILE_PUBLIC_URL: 'https://sms.example.com/switchboard/',
    }).webhooksFor(device, 'http://10.0.0.5:3000');
    expect(hooks.map((hook) => hook.url)).toEqual([
      `https://sms.example.com/switchboard/webhooks/sms-gateway/${device.id}`,
      `https://sms.example.com/switchboard/webhooks/sms-gateway/${device.id}`,
    ]);
  });

  it('falls back to the origin the phone called', () => {
    const [hook] = settingsWith({}).webhooksFor(device, 'https://gateway.example.org');
    expect(hook).toEqual({
      id: 'switchboard-sms-received',
      url: `https://gateway.example.org/webhooks/sms-gateway/${device.id}`,
      event: 'sms:received',
    });
  });
});
