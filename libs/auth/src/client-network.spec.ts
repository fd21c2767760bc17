import { clientNetworkOf } from './client-network';

describe('clientNetworkOf', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:abcd:12:1:2:3:4', '2001:db8:abcd:12::/64'],
    ['2001:db8:abcd:12::99', '2001:db8:abcd:12::/64'],
    ['2001:0db8:00ab:0000:ffff::1', '2001:db8:ab:0::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['64:ff9b::192.0.2.33', '64:ff9b:0:0::/64'],
    [undefined, 'unknown'],
    ['not an address', 'unknown'],
  ])('counts %s as %s', (ip, network) => {
    expect(clientNetworkOf(ip)).toBe(network);
  });

  it('puts two addresses of one IPv6 /64 together', () => {
    expect(clientNetworkOf('2a00:1450:4001:81c::200e')).toBe(
      clientNetworkOf('2a00:1450:4001:81c:dead:beef:1:2'),
    );
  });
});
