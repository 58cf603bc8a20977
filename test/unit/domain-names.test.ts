import { describe, expect, it } from 'vitest';
import { domainAndParents, hostOf, interfaceHosts } from '../../src/card/interface-hosts.js';
import { validateCard } from '../../src/card/card-validation.js';
import { domainName } from '../../src/domains/domain-requests.js';
import { cardV03, cardV1 } from '../helpers/cards.js';

describe('interface hosts', () => {
  it('are the lower-case host names of every interface, of 1.0 and 0.3 cards alike, each once', () => {
    const v1 = cardV1({
      supportedInterfaces: [
        { url: 'https://A.Example.com:8443/a2a', protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
        { url: 'https://a.example.com./grpc', protocolBinding: 'GRPC', protocolVersion: '1.0' },
        { url: 'http://[::1]:9/x', protocolBinding: 'HTTP+JSON', protocolVersion: '1.0' },
      ],
    });
    expect(interfaceHosts(validateCard(v1))).toEqual(['a.example.com', '::1']);
    const v03 = cardV03({ url: 'https://main.example.org/a2a', additionalInterfaces: [{ url: 'https://alt.example.net/a2a', transport: 'GRPC' }] });
    expect(interfaceHosts(validateCard(v03))).toEqual(['main.example.org', 'alt.example.net']);
  });

  it('leave out URLs without a host', () => {
    expect(hostOf('urn:example:agent')).toBeUndefined();
    expect(hostOf('not a url')).toBeUndefined();
  });

  it('lie under every domain above them, most specific first; an IP address under none', () => {
    expect(domainAndParents('a.b.example.com')).toEqual(['a.b.example.com', 'b.example.com', 'example.com', 'com']);
    expect(domainAndParents('localhost')).toEqual(['localhost']);
    expect(domainAndParents('192.0.2.1')).toEqual(['192.0.2.1']);
    expect(domainAndParents('2001:db8::1')).toEqual(['2001:db8::1']);
  });
});

describe('domain names', () => {
  it('are folded to lower case, without a trailing dot, internationalised ones in punycode', () => {
    expect(domainName.parse('Example.COM.')).toBe('example.com');
    expect(domainName.parse('bücher.example')).toBe('xn--bcher-kva.example');
    expect(domainName.parse('localhost')).toBe('localhost');
    expect(domainName.parse('हिन्दी.example')).toBe(new URL('http://हिन्दी.example/').hostname);
  });

  it.each(['', '10.0.0.1', '[::1]', 'example.com:443', 'example.com/path', 'user@example.com', 'a..b', '-a.example', 'a_b.example', 'example.123', `${'a'.repeat(64)}.example`, `${'a.'.repeat(127)}a`])(
    'refuse %j',
    (value) => {
      expect(domainName.safeParse(value).success).toBe(false);
    },
  );
});
