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
