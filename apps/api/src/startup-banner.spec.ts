import { startupBanner } from './startup-banner';

describe('startupBanner', () => {
  it('points at the port the API listens on, and says what to do next', () => {
    const banner = startupBanner(4100, 'http://localhost:3000');
    expect(banner).toEqual({
      message:
        'Switchboard is ready: web app http://localhost:4100, API http://localhost:4100/api/v1,' +
        ' docs http://localhost:4100/docs — next: open the web app and sign up with your phone' +
        ' (the code is printed here), or npm run account:create -- --name "Acme" for an API key',
      apiUrl: 'http://localhost:4100/api/v1',
      docsUrl: 'http://localhost:4100/docs',
    });
  });

  it('leaves out a PUBLIC_BASE_URL that is this machine anyway', () => {
    for (const base of ['http://127.0.0.1:3000', 'http://[::1]:3000', 'http://localhost']) {
      expect(startupBanner(3000, base).publicBaseUrl).toBeUndefined();
    }
  });

  it('adds the public URL when Twilio reaches the API through another host', () => {
    const banner = startupBanner(3000, 'https://sms.example.com');
    expect(banner.publicBaseUrl).toBe('https://sms.example.com');
    expect(banner.message).toContain(
      'docs http://localhost:3000/docs (public URL https://sms.example.com) — next:',
    );
  });
});
