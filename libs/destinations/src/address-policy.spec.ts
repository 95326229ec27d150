import { literalHostProblem, nonPublicRange } from './address-policy';

describe('address policy (SPEC section 4: loopback, private, link-local, metadata refused)', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['0.0.0.0', 'unspecified'],
    ['::1', 'loopback'],
    ['fe80::1', 'linkLocal'],
    ['fd00:ec2::254', 'uniqueLocal'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['100.100.100.200', 'carrierGradeNat'],
  ])('given %s, when judged, then it is %s, not public', (address, range) => {
    expect(nonPublicRange(address)).toBe(range);
  });

  it.each([
    ['::127.0.0.1', 'loopback'],
    ['::7f00:1', 'loopback'],
    ['0:0:0:0:0:0:7f00:1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['[::7f00:1]', 'loopback'],
    ['::10.1.2.3', 'private'],
    ['::a01:203', 'private'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:a01:203', 'private'],
    ['::169.254.169.254', 'linkLocal'],
    ['::a9fe:a9fe', 'linkLocal'],
    ['::ffff:169.254.169.254', 'linkLocal'],
    ['::ffff:a9fe:a9fe', 'linkLocal'],
  ])(
    'given the IPv4-compatible or -mapped IPv6 address %s, when judged, then it is %s as the IPv4 address it carries',
    (address, range) => {
      expect(nonPublicRange(address)).toBe(range);
    },
  );

  it('given a public IPv4 address inside IPv6, dotted or hex, when judged, then it passes', () => {
    for (const address of [
      '::93.184.216.34',
      '::5db8:d822',
      '::ffff:93.184.216.34',
      '::ffff:5db8:d822',
    ]) {
      expect({ address, range: nonPublicRange(address) }).toEqual({ address, range: null });
    }
  });

  it('given an IPv4-compatible loopback in hex as a URL host, when checked at save, then it is refused', () => {
    expect(literalHostProblem('[::7f00:1]')).toBe('::7f00:1 is a loopback address');
    expect(literalHostProblem('[::a9fe:a9fe]')).toBe('::a9fe:a9fe is a linkLocal address');
  });

  it('given public addresses, when judged, then they pass', () => {
    expect(nonPublicRange('93.184.216.34')).toBeNull();
    expect(nonPublicRange('2606:2800:220:1:248:1893:25c8:1946')).toBeNull();
  });

  it('given literal hosts, when checked at save, then local names and addresses are refused', () => {
    expect(literalHostProblem('localhost')).toContain('local name');
    expect(literalHostProblem('metadata.google.internal')).toContain('local name');
    expect(literalHostProblem('[::1]')).toContain('loopback');
    expect(literalHostProblem('127.0.0.1')).toContain('loopback');
    expect(literalHostProblem('tracker.example.com')).toBeNull();
    expect(literalHostProblem('8.8.8.8')).toBeNull();
  });
});
