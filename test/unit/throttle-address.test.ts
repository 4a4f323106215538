import { expect } from 'chai';
import { throttleAddressKey } from '../../src/throttle/throttle-address.js';

describe('throttleAddressKey', () => {
  it('when the address is IPv4, then it is its own key', () => {
    expect(throttleAddressKey('192.0.2.10')).to.equal('192.0.2.10');
  });

  it('when an IPv4 address arrives IPv4-mapped on a dual-stack socket, then it counts as the plain IPv4 address', () => {
    expect(throttleAddressKey('::ffff:192.0.2.10')).to.equal('192.0.2.10');
    expect(throttleAddressKey('::FFFF:192.0.2.10')).to.equal('192.0.2.10');
  });

  it('when one IPv6 customer uses many addresses of its /64, then they all share one key', () => {
    const keys = ['2001:db8:1:2::1', '2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:0DB8:0001:0002:abcd::7', '2001:db8:1:2::1%eth0'].map(
      throttleAddressKey,
    );
    expect(new Set(keys)).to.have.property('size', 1);
    expect(keys[0]).to.equal('2001:db8:1:2::/64');
  });

  it('when two IPv6 addresses lie in different /64 blocks, then their keys differ', () => {
    expect(throttleAddressKey('2001:db8:1:2::1')).not.to.equal(throttleAddressKey('2001:db8:1:3::1'));
    expect(throttleAddressKey('::1')).to.equal('0:0:0:0::/64');
  });

  it('when the address is not an IP address at all, then it is used as it is', () => {
    expect(throttleAddressKey('unknown')).to.equal('unknown');
  });
});
