import { Message } from './message.entity';
import { isCarriedBy } from './message.repository';

const message = (route: string | null, providerMessageId: string | null) =>
  Object.assign(new Message(), { route, providerMessageId });

describe('isCarriedBy', () => {
  it('lets the route report on its own messages and on messages not routed yet', () => {
    expect(isCarriedBy(message('twilio', 'SM1'), { route: 'twilio' })).toBe(true);
    expect(isCarriedBy(message(null, null), { route: 'twilio' })).toBe(true);
    expect(isCarriedBy(message('device', null), { route: 'twilio' })).toBe(false);
  });

  it('holds the provider to the id it gave the message, once it gave one', () => {
    const carrier = { route: 'twilio', providerMessageId: 'SM1' };
    expect(isCarriedBy(message('twilio', 'SM1'), carrier)).toBe(true);
    expect(isCarriedBy(message('twilio', null), carrier)).toBe(true);
    expect(isCarriedBy(message('twilio', 'SM2'), carrier)).toBe(false);
  });
});
