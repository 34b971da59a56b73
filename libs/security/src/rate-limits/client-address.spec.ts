import { rateLimitAddress } from './client-address';

describe('the address a per-IP rate limit counts', () => {
  it('an IPv4 address is itself', () => {
    expect(rateLimitAddress('192.0.2.1')).toBe('192.0.2.1');
  });

  it('an IPv6 address is its /64, however it is spelled', () => {
    const spellings = ['2001:db8:1:2::1', '2001:0db8:0001:0002:0000:0000:0000:0001', '2001:DB8:1:2:ffff:ffff:ffff:ffff', '2001:db8:1:2:abcd::', '2001:db8:1:2::1%eth0'];
    for (const spelling of spellings) expect(rateLimitAddress(spelling)).toBe('2001:db8:1:2::/64');
    expect(rateLimitAddress('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(rateLimitAddress('::1')).toBe('0:0:0:0::/64');
    expect(rateLimitAddress('::')).toBe('0:0:0:0::/64');
    expect(rateLimitAddress('2001:db8::')).toBe('2001:db8:0:0::/64');
    expect(rateLimitAddress('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
  });

  it('an IPv4-mapped IPv6 address is the IPv4 address it carries', () => {
    expect(rateLimitAddress('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(rateLimitAddress('::FFFF:c000:0201')).toBe('192.0.2.1');
    expect(rateLimitAddress('0:0:0:0:0:ffff:192.0.2.1')).toBe('192.0.2.1');
  });

  it('anything that is not an address is left as it is', () => {
    expect(rateLimitAddress('')).toBe('');
    expect(rateLimitAddress('not-an-ip')).toBe('not-an-ip');
  });
});
