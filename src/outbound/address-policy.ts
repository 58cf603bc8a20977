import { isIPv4, isIPv6 } from 'node:net';

/**
 * Outbound address policy: which IP addresses and host names the registry may contact when it
 * fetches a URL a client gave it (agent cards, JWKS). The default policy admits only globally
 * routable unicast addresses; IPv6 forms that embed an IPv4 address (IPv4-mapped, NAT64, 6to4,
 * Teredo) are judged by the IPv4 address they lead to.
 */

/** The kind of range a refused address falls in; stable, usable in logs and metrics. */
export type AddressRange =
  | 'invalid'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'carrier_grade_nat'
  | 'link_local'
  | 'metadata'
  | 'multicast'
  | 'broadcast'
  | 'documentation'
  | 'benchmarking'
  | 'reserved';

/** The policy's answer for one address: allowed, or refused with the range and a readable reason. */
export type AddressVerdict =
  | { readonly allowed: true; readonly address: string }
  | { readonly allowed: false; readonly address: string; readonly range: AddressRange; readonly reason: string };

/** The policy's answer for one host name (before it is resolved). */
export type HostnameVerdict =
  | { readonly allowed: true; readonly hostname: string }
  | { readonly allowed: false; readonly hostname: string; readonly reason: string };

/** Options of the address and host name policies. */
export interface AddressPolicyOptions {
  /**
   * Admit loopback, private (RFC 1918, fc00::/7), carrier-grade NAT, documentation, benchmarking and
   * reserved addresses, and `localhost` names: for tests and private deployments. Cloud metadata
   * endpoints, link-local, unspecified, multicast and broadcast addresses stay refused.
   * @defaultValue false
   */
  allowPrivateNetworks?: boolean;
}

/** A refusal found while classifying an address. */
interface Refusal {
  range: AddressRange;
  reason: string;
}

/** An IPv4 block: the network as a 32-bit number, its prefix length, and what it is. */
interface Ipv4Block {
  network: number;
  prefix: number;
  cidr: string;
  range: AddressRange;
}

/** An IPv6 block: the network as a 128-bit number, its prefix length, and what it is. */
interface Ipv6Block {
  network: bigint;
  prefix: number;
  cidr: string;
  range: AddressRange;
}

/** Ranges still refused when private networks are admitted. */
const REFUSED_EVEN_IN_PRIVATE_NETWORKS: ReadonlySet<AddressRange> = new Set<AddressRange>([
  'invalid',
  'unspecified',
  'link_local',
  'metadata',
  'multicast',
  'broadcast',
]);

/** Cloud instance-metadata endpoints (AWS, GCP, Azure, OpenStack, ECS, Alibaba, Oracle). */
const METADATA_ADDRESSES: ReadonlySet<string> = new Set([
  '169.254.169.254',
  '169.254.170.2',
  '169.254.169.123',
  '100.100.100.200',
  '192.0.0.192',
  'fd00:ec2:0:0:0:0:0:254',
  'fd00:ec2:0:0:0:0:0:23',
]);

/** Host names of cloud metadata services: refused in every mode. */
const METADATA_HOSTNAMES: ReadonlySet<string> = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
]);

/** Host names that always mean this machine: refused unless private networks are admitted. */
const LOCAL_HOSTNAMES: ReadonlySet<string> = new Set([
  'localhost',
  'localhost.localdomain',
  'ip6-localhost',
  'ip6-loopback',
]);

const IPV4_BLOCKS: readonly Ipv4Block[] = [
  ipv4Block('0.0.0.0/8', 'unspecified'),
  ipv4Block('10.0.0.0/8', 'private'),
  ipv4Block('100.64.0.0/10', 'carrier_grade_nat'),
  ipv4Block('127.0.0.0/8', 'loopback'),
  ipv4Block('169.254.0.0/16', 'link_local'),
  ipv4Block('172.16.0.0/12', 'private'),
  ipv4Block('192.0.0.0/24', 'reserved'),
  ipv4Block('192.0.2.0/24', 'documentation'),
  ipv4Block('192.88.99.0/24', 'reserved'),
  ipv4Block('192.168.0.0/16', 'private'),
  ipv4Block('198.18.0.0/15', 'benchmarking'),
  ipv4Block('198.51.100.0/24', 'documentation'),
  ipv4Block('203.0.113.0/24', 'documentation'),
  ipv4Block('224.0.0.0/4', 'multicast'),
  ipv4Block('255.255.255.255/32', 'broadcast'),
  ipv4Block('240.0.0.0/4', 'reserved'),
];

/** IPv6 blocks refused outright, checked in order (the first match wins). */
const IPV6_BLOCKS: readonly Ipv6Block[] = [
  ipv6Block('::/128', 'unspecified'),
  ipv6Block('::1/128', 'loopback'),
  ipv6Block('::/96', 'reserved'), // deprecated IPv4-compatible addresses
  ipv6Block('64:ff9b:1::/48', 'reserved'), // local-use NAT64 (RFC 8215)
  ipv6Block('100::/64', 'reserved'), // discard-only
  ipv6Block('fc00::/7', 'private'), // unique local
  ipv6Block('fec0::/10', 'private'), // deprecated site-local
  ipv6Block('fe80::/10', 'link_local'),
  ipv6Block('ff00::/8', 'multicast'),
  ipv6Block('2001:db8::/32', 'documentation'),
  ipv6Block('3fff::/20', 'documentation'),
  ipv6Block('2001:2::/48', 'benchmarking'),
  ipv6Block('2001:10::/28', 'reserved'), // ORCHID
  ipv6Block('2001:20::/28', 'reserved'), // ORCHIDv2
];

const IPV4_MAPPED = ipv6Block('::ffff:0:0/96', 'reserved');
const NAT64 = ipv6Block('64:ff9b::/96', 'reserved');
const TEREDO = ipv6Block('2001::/32', 'reserved');
const SIX_TO_FOUR = ipv6Block('2002::/16', 'reserved');
const GLOBAL_UNICAST = ipv6Block('2000::/3', 'reserved');

/**
 * Judges whether `address` (an IPv4 or IPv6 literal; brackets and an IPv6 zone such as `%eth0` are
 * tolerated) may be contacted. Anything that is not an IP literal is refused as `invalid`.
 * @param options - see {@link AddressPolicyOptions}; by default only public addresses are allowed.
 */
export function judgeAddress(address: string, options: AddressPolicyOptions = {}): AddressVerdict {
  const refusal = classifyAddress(address);
  if (!refusal) return { allowed: true, address };
  if (options.allowPrivateNetworks && !REFUSED_EVEN_IN_PRIVATE_NETWORKS.has(refusal.range)) {
    return { allowed: true, address };
  }
  return { allowed: false, address, range: refusal.range, reason: refusal.reason };
}

/**
 * True when `address` may be contacted under the policy (see {@link judgeAddress}).
 * @param options - see {@link AddressPolicyOptions}; by default only public addresses are allowed.
 */
export function isAddressAllowed(address: string, options: AddressPolicyOptions = {}): boolean {
  return judgeAddress(address, options).allowed;
}

/**
 * True when `address` is a cloud instance-metadata endpoint (such as 169.254.169.254 or
 * fd00:ec2::254), also when written as an IPv4-mapped, NAT64, 6to4 or Teredo IPv6 address.
 */
export function isMetadataAddress(address: string): boolean {
  return classifyAddress(address)?.range === 'metadata';
}

/**
 * Judges a host name before it is resolved: cloud metadata names (such as
 * `metadata.google.internal`) are always refused; `localhost`, `*.localhost` and the like are refused
 * unless private networks are admitted. Case and trailing dots are ignored. Names that pass still
 * have every address they resolve to judged by {@link judgeAddress}.
 * @param options - see {@link AddressPolicyOptions}.
 */
export function judgeHostname(hostname: string, options: AddressPolicyOptions = {}): HostnameVerdict {
  const name = normaliseHostname(hostname);
  if (name === '') return { allowed: false, hostname, reason: 'the host name is empty' };
  if (METADATA_HOSTNAMES.has(name)) {
    return { allowed: false, hostname, reason: 'it names a cloud metadata service' };
  }
  if (!options.allowPrivateNetworks && (LOCAL_HOSTNAMES.has(name) || name.endsWith('.localhost'))) {
    return { allowed: false, hostname, reason: 'it names this machine' };
  }
  return { allowed: true, hostname };
}

/** Lower-cases a host name and drops trailing dots (`LocalHost.` is `localhost`). */
function normaliseHostname(hostname: string): string {
  return hostname.toLowerCase().replace(/\.+$/, '');
}

/** Why `address` is refused by the public policy, or undefined when it is a public address. */
function classifyAddress(address: string): Refusal | undefined {
  const literal = stripDecorations(address);
  if (isIPv4(literal)) return classifyIpv4(parseIpv4(literal));
  if (isIPv6(literal)) return classifyIpv6(parseIpv6(literal));
  return { range: 'invalid', reason: 'not an IP address' };
}

/** Drops `[`…`]` around an IPv6 literal and a `%zone` suffix. */
function stripDecorations(address: string): string {
  const unbracketed = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const zone = unbracketed.indexOf('%');
  return zone === -1 ? unbracketed : unbracketed.slice(0, zone);
}

function classifyIpv4(value: number): Refusal | undefined {
  if (METADATA_ADDRESSES.has(formatIpv4(value))) {
    return { range: 'metadata', reason: 'cloud metadata endpoint' };
  }
  const block = IPV4_BLOCKS.find((candidate) => inIpv4Block(value, candidate));
  return block ? { range: block.range, reason: `${label(block.range)} (${block.cidr})` } : undefined;
}

function classifyIpv6(value: bigint): Refusal | undefined {
  if (METADATA_ADDRESSES.has(formatIpv6Groups(value))) {
    return { range: 'metadata', reason: 'cloud metadata endpoint' };
  }
  const embedded = classifyEmbeddedIpv4(value);
  if (embedded !== 'none') return embedded;
  const block = IPV6_BLOCKS.find((candidate) => inIpv6Block(value, candidate));
  if (block) return { range: block.range, reason: `${label(block.range)} (${block.cidr})` };
  if (!inIpv6Block(value, GLOBAL_UNICAST)) {
    return { range: 'reserved', reason: 'outside global unicast (2000::/3)' };
  }
  return undefined;
}

/**
 * Judges IPv6 addresses that lead to an IPv4 address by the IPv4 addresses inside them:
 * 'none' when `value` is not such a form, else the first refusal of an embedded address (or
 * undefined when all of them are public).
 */
function classifyEmbeddedIpv4(value: bigint): Refusal | undefined | 'none' {
  if (inIpv6Block(value, IPV4_MAPPED)) return judgeEmbedded('IPv4-mapped', [low32(value)]);
  if (inIpv6Block(value, NAT64)) return judgeEmbedded('NAT64', [low32(value)]);
  if (inIpv6Block(value, SIX_TO_FOUR)) return judgeEmbedded('6to4', [bits32(value, 80)]);
  if (inIpv6Block(value, TEREDO)) {
    // RFC 4380: the Teredo server's address in bits 32..63, the client's (inverted) in the last 32.
    return judgeEmbedded('Teredo', [bits32(value, 64), ~low32(value) >>> 0]);
  }
  return 'none';
}

function judgeEmbedded(form: string, ipv4s: readonly number[]): Refusal | undefined {
  for (const ipv4 of ipv4s) {
    const refusal = classifyIpv4(ipv4);
    if (refusal) {
      return { range: refusal.range, reason: `${form} IPv6 form of ${formatIpv4(ipv4)}: ${refusal.reason}` };
    }
  }
  return undefined;
}

const LABELS: Record<AddressRange, string> = {
  invalid: 'not an IP address',
  unspecified: 'unspecified address',
  loopback: 'loopback',
  private: 'private network',
  carrier_grade_nat: 'carrier-grade NAT',
  link_local: 'link-local',
  metadata: 'cloud metadata endpoint',
  multicast: 'multicast',
  broadcast: 'broadcast',
  documentation: 'documentation range',
  benchmarking: 'benchmarking range',
  reserved: 'reserved range',
};

function label(range: AddressRange): string {
  return LABELS[range];
}

function ipv4Block(cidr: string, range: AddressRange): Ipv4Block {
  const [network = '', prefix = ''] = cidr.split('/');
  return { network: parseIpv4(network), prefix: Number(prefix), cidr, range };
}

function ipv6Block(cidr: string, range: AddressRange): Ipv6Block {
  const [network = '', prefix = ''] = cidr.split('/');
  return { network: parseIpv6(network), prefix: Number(prefix), cidr, range };
}

function inIpv4Block(value: number, block: Ipv4Block): boolean {
  const mask = block.prefix === 0 ? 0 : (0xffffffff << (32 - block.prefix)) >>> 0;
  return ((value & mask) >>> 0) === ((block.network & mask) >>> 0);
}

function inIpv6Block(value: bigint, block: Ipv6Block): boolean {
  const shift = BigInt(128 - block.prefix);
  return value >> shift === block.network >> shift;
}

/** The last 32 bits of an IPv6 address, as an IPv4 address. */
function low32(value: bigint): number {
  return Number(value & 0xffffffffn);
}

/** The 32 bits of an IPv6 address that end `shift` bits above its least significant bit. */
function bits32(value: bigint, shift: number): number {
  return Number((value >> BigInt(shift)) & 0xffffffffn);
}

/** A dotted-quad IPv4 literal (already validated by `isIPv4`) as an unsigned 32-bit number. */
function parseIpv4(text: string): number {
  return text.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}

function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 0xff).join('.');
}

/** An IPv6 literal (already validated by `isIPv6`, without zone) as a 128-bit number. */
function parseIpv6(text: string): bigint {
  const [head = '', tail] = text.split('::');
  const headGroups = ipv6Groups(head);
  const tailGroups = tail === undefined ? [] : ipv6Groups(tail);
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...new Array<number>(Math.max(missing, 0)).fill(0), ...tailGroups];
  return groups.reduce((value, group) => (value << 16n) | BigInt(group), 0n);
}

/** The 16-bit groups of one side of `::`, turning a trailing dotted IPv4 part into two groups. */
function ipv6Groups(part: string): number[] {
  if (part === '') return [];
  return part.split(':').flatMap((group) => {
    if (!group.includes('.')) return [parseInt(group, 16)];
    const ipv4 = parseIpv4(group);
    return [ipv4 >>> 16, ipv4 & 0xffff];
  });
}

/** The uncompressed, lower-case group form (`fd00:ec2:0:0:0:0:0:254`) used for exact lookups. */
function formatIpv6Groups(value: bigint): string {
  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(((value >> shift) & 0xffffn).toString(16));
  return groups.join(':');
}
