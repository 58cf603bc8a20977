import { describe, expect, it } from 'vitest';
import {
  isAddressAllowed,
  isMetadataAddress,
  judgeAddress,
  judgeHostname,
  type AddressRange,
} from '../../src/outbound/address-policy.js';

/** Public unicast addresses the default policy must allow. */
const ALLOWED: readonly string[] = [
  '93.184.216.34',
  '1.1.1.1',
  '8.8.8.8',
  '9.255.255.255',
  '11.0.0.0',
  '100.63.255.255', // just below 100.64/10
  '100.128.0.0', // just above 100.64/10
  '126.255.255.255',
  '128.0.0.0',
  '169.253.255.255',
  '169.255.0.0',
  '172.15.255.255', // just below 172.16/12
  '172.32.0.0', // just above 172.16/12
  '192.0.1.1',
  '192.0.3.0',
  '192.31.196.1', // AS112, globally reachable
  '192.167.255.255',
  '192.169.0.0',
  '198.17.255.255',
  '198.20.0.0',
  '198.51.99.255',
  '203.0.112.255',
  '223.255.255.255',
  '2606:4700::1111',
  '2606:4700:4700::1111',
  '2001:4860:4860::8888',
  '2a00:1450:4001:80b::200e',
  '2001:db9::1', // just above 2001:db8::/32
  '2001:1::1', // PCP anycast, not Teredo (2001::/32)
  '3ffe::1',
  '3fff:1000::1', // just above 3fff::/20
  '2002:5db8:d822::1', // 6to4 of 93.184.216.34
  '::ffff:93.184.216.34',
  '::ffff:5db8:d822',
  '64:ff9b::5db8:d822', // NAT64 of 93.184.216.34
  '64:ff9b::93.184.216.34',
  '2001:0:4136:e378:8000:63bf:a247:2731', // Teredo: server 65.54.227.120, client 93.184.216.206 (inverted)
  '[2606:4700::1111]',
];

/** Addresses the default policy must refuse, with the range it must report. */
const REFUSED: ReadonlyArray<readonly [string, AddressRange]> = [
  // IPv4 unspecified, loopback, private, CGNAT, link-local and metadata
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['127.1.2.3', 'loopback'],
  ['10.0.0.1', 'private'],
  ['10.255.255.255', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.0.1', 'private'],
  ['192.168.255.255', 'private'],
  ['100.64.0.1', 'carrier_grade_nat'],
  ['100.127.255.255', 'carrier_grade_nat'],
  ['169.254.0.1', 'link_local'],
  ['169.254.255.255', 'link_local'],
  ['169.254.169.254', 'metadata'],
  ['169.254.170.2', 'metadata'],
  ['100.100.100.200', 'metadata'],
  ['192.0.0.192', 'metadata'],
  // IPv4 special purpose
  ['192.0.0.1', 'reserved'],
  ['192.0.2.1', 'documentation'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.200', 'documentation'],
  ['198.18.0.1', 'benchmarking'],
  ['198.19.255.255', 'benchmarking'],
  ['192.88.99.1', 'reserved'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['254.255.255.255', 'reserved'],
  ['255.255.255.255', 'broadcast'],
  // IPv6 special addresses and ranges
  ['::', 'unspecified'],
  ['::0', 'unspecified'],
  ['0:0:0:0:0:0:0:0', 'unspecified'],
  ['::1', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  ['[::1]', 'loopback'],
  ['::2', 'reserved'],
  ['::8.8.8.8', 'reserved'], // deprecated IPv4-compatible form
  ['fc00::1', 'private'],
  ['fd12:3456:789a::1', 'private'],
  ['fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'private'],
  ['fec0::1', 'private'],
  ['fe80::1', 'link_local'],
  ['fe80::1%eth0', 'link_local'],
  ['febf:ffff::1', 'link_local'],
  ['fd00:ec2::254', 'metadata'],
  ['ff02::1', 'multicast'],
  ['ff05::1:3', 'multicast'],
  ['2001:db8::1', 'documentation'],
  ['2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', 'documentation'],
  ['3fff::1', 'documentation'],
  ['2001:2::1', 'benchmarking'],
  ['2001:10::1', 'reserved'],
  ['2001:20::1', 'reserved'],
  ['100::1', 'reserved'],
  ['64:ff9b:1::1', 'reserved'],
  ['1000::1', 'reserved'], // outside 2000::/3
  ['4000::1', 'reserved'],
  ['5f00::1', 'reserved'],
  ['::ffff:0:a00:1', 'reserved'], // IPv4-translated (SIIT), outside 2000::/3
  // IPv4-mapped IPv6, judged as the IPv4 address
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['0:0:0:0:0:ffff:7f00:1', 'loopback'],
  ['[::ffff:127.0.0.1]', 'loopback'],
  ['::FFFF:7F00:0001', 'loopback'],
  ['::ffff:10.1.2.3', 'private'],
  ['::ffff:192.168.1.1', 'private'],
  ['::ffff:169.254.169.254', 'metadata'],
  ['::ffff:a9fe:a9fe', 'metadata'],
  ['::ffff:0.0.0.0', 'unspecified'],
  ['::ffff:100.64.0.1', 'carrier_grade_nat'],
  ['::ffff:255.255.255.255', 'broadcast'],
  // NAT64 well-known prefix, judged as the IPv4 address
  ['64:ff9b::127.0.0.1', 'loopback'],
  ['64:ff9b::7f00:1', 'loopback'],
  ['64:ff9b::a9fe:a9fe', 'metadata'],
  ['64:ff9b::10.0.0.1', 'private'],
  // 6to4, judged as the embedded IPv4 address
  ['2002:7f00:1::1', 'loopback'],
  ['2002:a9fe:a9fe::', 'metadata'],
  ['2002:c0a8:101::1', 'private'],
  // Teredo, judged by its server and (inverted) client address
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'documentation'], // RFC 4380 example: client 192.0.2.45
  ['2001:0:7f00:1:0:0:0:0', 'loopback'], // server 127.0.0.1
  ['2001:0:4136:e378:0:0:f5ff:fffe', 'private'], // client 10.0.0.1
  // not IP addresses at all
  ['', 'invalid'],
  ['localhost', 'invalid'],
  ['example.com', 'invalid'],
  ['127.1', 'invalid'],
  ['2130706433', 'invalid'],
  ['0x7f.0.0.1', 'invalid'],
  ['127.0.0.1.', 'invalid'],
  ['256.0.0.1', 'invalid'],
  ['::ffff:127.0.0.256', 'invalid'],
  ['1:2:3:4:5:6:7:8:9', 'invalid'],
];

describe('judgeAddress with the default (public-only) policy', () => {
  it.each(ALLOWED)('allows the public address %s', (address) => {
    expect(judgeAddress(address)).toEqual({ allowed: true, address });
    expect(isAddressAllowed(address)).toBe(true);
  });

  it.each(REFUSED)('refuses %s as %s', (address, range) => {
    const verdict = judgeAddress(address);
    expect(verdict).toMatchObject({ allowed: false, address, range });
    expect(isAddressAllowed(address)).toBe(false);
  });

  it('names the embedded IPv4 address when refusing an IPv4-mapped address', () => {
    const verdict = judgeAddress('::ffff:7f00:1');
    expect(verdict.allowed).toBe(false);
    expect(!verdict.allowed && verdict.reason).toBe('IPv4-mapped IPv6 form of 127.0.0.1: loopback (127.0.0.0/8)');
  });

  it('gives the range in the reason for a plain refusal', () => {
    const verdict = judgeAddress('10.1.2.3');
    expect(!verdict.allowed && verdict.reason).toBe('private network (10.0.0.0/8)');
  });
});

describe('judgeAddress with private networks allowed', () => {
  const options = { allowPrivateNetworks: true };

  it.each([
    '127.0.0.1',
    '::1',
    '10.0.0.1',
    '172.20.1.1',
    '192.168.1.10',
    'fd12::1',
    '100.64.0.1',
    '::ffff:127.0.0.1',
    '64:ff9b::10.0.0.1',
    '93.184.216.34',
    '2606:4700::1111',
  ])('allows %s', (address) => {
    expect(isAddressAllowed(address, options)).toBe(true);
  });

  it.each<readonly [string, AddressRange]>([
    ['169.254.169.254', 'metadata'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['64:ff9b::a9fe:a9fe', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['169.254.1.1', 'link_local'],
    ['fe80::1', 'link_local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['not-an-address', 'invalid'],
  ])('still refuses %s as %s', (address, range) => {
    expect(judgeAddress(address, options)).toMatchObject({ allowed: false, range });
  });
});

describe('isMetadataAddress', () => {
  it.each(['169.254.169.254', '::ffff:169.254.169.254', '2002:a9fe:a9fe::1', 'fd00:ec2::254', '100.100.100.200'])(
    'recognises %s',
    (address) => {
      expect(isMetadataAddress(address)).toBe(true);
    },
  );

  it.each(['169.254.169.253', '8.8.8.8', '127.0.0.1', 'fd00:ec2::255', 'metadata.google.internal'])(
    'does not flag %s',
    (address) => {
      expect(isMetadataAddress(address)).toBe(false);
    },
  );
});

describe('judgeHostname', () => {
  it.each(['metadata.google.internal', 'METADATA.GOOGLE.INTERNAL.', 'metadata', 'metadata.goog', 'instance-data'])(
    'always refuses the metadata name %s',
    (hostname) => {
      expect(judgeHostname(hostname).allowed).toBe(false);
      expect(judgeHostname(hostname, { allowPrivateNetworks: true }).allowed).toBe(false);
    },
  );

  it.each(['localhost', 'LOCALHOST', 'localhost.', 'api.localhost', 'localhost.localdomain', 'ip6-localhost'])(
    'refuses the local name %s unless private networks are allowed',
    (hostname) => {
      expect(judgeHostname(hostname).allowed).toBe(false);
      expect(judgeHostname(hostname, { allowPrivateNetworks: true }).allowed).toBe(true);
    },
  );

  it.each(['example.com', 'agents.example.org', 'localhost.example.com', 'metadata.example.com'])(
    'allows the ordinary name %s (its addresses are judged after resolution)',
    (hostname) => {
      expect(judgeHostname(hostname)).toEqual({ allowed: true, hostname });
    },
  );

  it('refuses an empty name', () => {
    expect(judgeHostname('').allowed).toBe(false);
    expect(judgeHostname('.').allowed).toBe(false);
  });
});
