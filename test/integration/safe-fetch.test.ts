import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import net, { type AddressInfo, type Server, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { OutboundConfigError, OutboundFetchError } from '../../src/outbound/outbound-errors.js';
import { createSafeFetcher, isJsonContentType, type ResolvedAddress, type SafeFetchOptions } from '../../src/outbound/safe-fetch.js';

// A self-signed certificate for `agent.test` (valid 2020–2120), used as its own CA.
const TLS_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgId0qPFyPuJzOrxNW
gWpqM4rxVHRq3fpWvCKLgRaT4oOhRANCAARV3xfnaH73cg6I82yCvPJv+fW1gqUM
S8XfF5MN78b8/64DeeOqxDxla61BYk5a4Kr3Zj3eN77nJ4W1e1SpjzIa
-----END PRIVATE KEY-----
`;
const TLS_CERT = `-----BEGIN CERTIFICATE-----
MIIBVzCB/qADAgECAhR5OKEB1q50GUJ8Kbu//wb60VF3ADAKBggqhkjOPQQDAjAV
MRMwEQYDVQQDDAphZ2VudC50ZXN0MCAXDTIwMDEwMTAwMDAwMFoYDzIxMjAwMTAx
MDAwMDAwWjAVMRMwEQYDVQQDDAphZ2VudC50ZXN0MFkwEwYHKoZIzj0CAQYIKoZI
zj0DAQcDQgAEVd8X52h+93IOiPNsgrzyb/n1tYKlDEvF3xeTDe/G/P+uA3njqsQ8
ZWutQWJOWuCq92Y93je+5yeFtXtUqY8yGqMqMCgwFQYDVR0RBA4wDIIKYWdlbnQu
dGVzdDAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIDd7mB8rwJnm
hvz5RqZX7lFuwV9Fv25JXzNDdqXnwbF/AiEA7cxNWKgzK0P+etLSuSMBIB+L09qc
5ZWIIYe0mjpA3oU=
-----END CERTIFICATE-----
`;

const CARD = { name: 'Weather agent', description: 'Forecasts', version: '1.0.0' };

/** One request a test server saw. */
interface SeenRequest {
  path: string;
  headers: IncomingMessage['headers'];
  servername?: string | false | null;
}

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** A loopback server started by a test; closed (with every socket) after each test. */
interface TestServer {
  port: number;
  /** `http://127.0.0.1:<port>` (or `https://`), for tests that use the address directly. */
  origin: string;
  requests: SeenRequest[];
  /** TCP connections accepted so far. */
  connections(): number;
}

const openServers: Array<{ server: Server; sockets: Set<Socket> }> = [];

afterEach(async () => {
  const servers = openServers.splice(0);
  await Promise.all(servers.map(closeServer));
});

function closeServer({ server, sockets }: { server: Server; sockets: Set<Socket> }): Promise<void> {
  for (const socket of sockets) socket.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Listens on `host` (a loopback address), tracking connections so the test can close them. */
async function listen(server: Server, host: string): Promise<{ port: number; connections: () => number }> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  server.on('connection', (socket: Socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  openServers.push({ server, sockets });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { port: (server.address() as AddressInfo).port, connections: () => accepted };
}

/** An HTTP (or, with `tls`, HTTPS for `agent.test`) server on a loopback address. */
async function startServer(handler: Handler, options: { tls?: boolean; host?: string } = {}): Promise<TestServer> {
  const requests: SeenRequest[] = [];
  const record: Handler = (request, response) => {
    const servername = (request.socket as TLSSocket).servername;
    requests.push({ path: request.url ?? '', headers: request.headers, ...(options.tls ? { servername } : {}) });
    handler(request, response);
  };
  const server = options.tls ? https.createServer({ key: TLS_KEY, cert: TLS_CERT }, record) : http.createServer(record);
  const host = options.host ?? '127.0.0.1';
  const { port, connections } = await listen(server, host);
  return { port, origin: `${options.tls ? 'https' : 'http'}://${host}:${port}`, requests, connections };
}

/** A TCP server that accepts connections and never writes a byte. */
async function startSilentServer(): Promise<{ port: number; connections: () => number }> {
  return listen(net.createServer(() => {}), '127.0.0.1');
}

/** Answers `body` as JSON (or with `contentType`). */
function json(body: unknown, contentType = 'application/json'): Handler {
  return (_request, response) => {
    response.writeHead(200, { 'Content-Type': contentType });
    response.end(typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body));
  };
}

/** Routes by exact path; anything else is a 404. */
function routes(table: Record<string, Handler>): Handler {
  return (request, response) => {
    const handler = table[request.url ?? ''];
    if (handler) handler(request, response);
    else response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
  };
}

function redirect(location: string, status = 302): Handler {
  return (_request, response) => {
    response.writeHead(status, { Location: location }).end();
  };
}

/** A resolver from a fixed table of test host names; counts its calls. */
function fakeDns(table: Record<string, string[]>): { resolveHost: (host: string) => Promise<ResolvedAddress[]>; calls: string[] } {
  const calls: string[] = [];
  const resolveHost = async (host: string) => {
    calls.push(host);
    const addresses = table[host];
    if (!addresses) throw Object.assign(new Error(`unknown test host ${host}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: net.isIP(address) }));
  };
  return { resolveHost, calls };
}

/** Options for "test mode": private networks and plain http allowed, short timeouts. */
const TEST_MODE: SafeFetchOptions = { allowPrivateNetworks: true, allowHttp: true, totalTimeoutMs: 5000 };

/** The OutboundFetchError `promise` rejects with; fails the test when it resolves or throws anything else. */
async function failureOf(promise: Promise<unknown>): Promise<OutboundFetchError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(OutboundFetchError);
    return error as OutboundFetchError;
  }
  throw new Error('expected the fetch to fail');
}

describe('safe fetch with the default policy', () => {
  const fetcher = createSafeFetcher({ connectTimeoutMs: 500, totalTimeoutMs: 2000 });

  it('refuses a loopback URL before connecting', async () => {
    const server = await startServer(json(CARD));
    const viaHttps = await failureOf(fetcher.fetchJson(`https://127.0.0.1:${server.port}/card.json`));
    expect(viaHttps).toMatchObject({ status: 400, code: 'url_not_allowed', reason: 'address_not_allowed' });
    const withHttp = createSafeFetcher({ allowHttp: true });
    const viaHttp = await failureOf(withHttp.fetchJson(`${server.origin}/card.json`));
    expect(viaHttp).toMatchObject({ status: 400, code: 'url_not_allowed', reason: 'address_not_allowed' });
    expect(viaHttp.message).toContain('loopback');
    expect(server.connections()).toBe(0);
    expect(server.requests).toHaveLength(0);
  });

  it('refuses http:// when allowHttp is false, even to an allowed address', async () => {
    const server = await startServer(json(CARD));
    const privateButHttpsOnly = createSafeFetcher({ allowPrivateNetworks: true });
    const error = await failureOf(privateButHttpsOnly.fetchJson(`${server.origin}/card.json`));
    expect(error).toMatchObject({ status: 400, code: 'url_not_allowed', reason: 'scheme_not_allowed' });
    expect(server.connections()).toBe(0);
  });

  it.each([
    ['http://169.254.169.254/latest/meta-data/', 'address_not_allowed'],
    ['http://[::1]/', 'address_not_allowed'],
    ['http://[::ffff:127.0.0.1]/', 'address_not_allowed'],
    ['http://[::ffff:169.254.169.254]/', 'address_not_allowed'],
    ['http://2130706433/', 'address_not_allowed'], // 127.0.0.1 as one number
    ['http://0x7f.1/', 'address_not_allowed'], // 127.0.0.1 in hex shorthand
    ['http://0/', 'address_not_allowed'],
    ['http://10.0.0.1/', 'address_not_allowed'],
    ['http://localhost/', 'host_not_allowed'],
    ['http://LOCALHOST./', 'host_not_allowed'],
    ['http://agent.localhost/', 'host_not_allowed'],
    ['http://metadata.google.internal/computeMetadata/v1/', 'host_not_allowed'],
  ])('refuses %s (%s)', async (url, reason) => {
    const withHttp = createSafeFetcher({ allowHttp: true });
    expect(await failureOf(withHttp.fetchJson(url))).toMatchObject({ status: 400, code: 'url_not_allowed', reason });
    expect(await failureOf(fetcher.fetchJson(url))).toMatchObject({ status: 400, code: 'url_not_allowed' });
  });

  it('refuses https to the metadata address', async () => {
    const error = await failureOf(fetcher.fetchJson('https://169.254.169.254/'));
    expect(error).toMatchObject({ status: 400, code: 'url_not_allowed', reason: 'address_not_allowed' });
  });

  it('refuses a host name that resolves to loopback, without connecting', async () => {
    const server = await startServer(json(CARD));
    const dns = fakeDns({ 'cards.example.test': ['127.0.0.1'] });
    const withDns = createSafeFetcher({ allowHttp: true, resolveHost: dns.resolveHost });
    const error = await failureOf(withDns.fetchJson(`http://cards.example.test:${server.port}/card.json`));
    expect(error).toMatchObject({ status: 400, code: 'url_not_allowed', reason: 'address_not_allowed' });
    expect(error.message).not.toContain('127.0.0.1');
    expect(dns.calls).toEqual(['cards.example.test']);
    const mapped = createSafeFetcher({ resolveHost: fakeDns({ 'mapped.test': ['::ffff:10.1.2.3'] }).resolveHost });
    const hidden = await failureOf(mapped.fetchJson('https://mapped.test/card.json'));
    expect(hidden).toMatchObject({ code: 'url_not_allowed', reason: 'address_not_allowed' });
    expect(hidden.message).not.toContain('10.1.2.3');
    expect(server.connections()).toBe(0);
  });

  it('refuses a host name when any one of its addresses is refused', async () => {
    const server = await startServer(json(CARD));
    const dns = fakeDns({ 'mixed.test': ['127.0.0.1', '127.0.0.2'] });
    const onlyFirst = createSafeFetcher({
      ...TEST_MODE,
      resolveHost: dns.resolveHost,
      isAddressAllowed: (address) => address === '127.0.0.1',
    });
    const error = await failureOf(onlyFirst.fetchJson(`http://mixed.test:${server.port}/card.json`));
    expect(error).toMatchObject({ code: 'url_not_allowed', reason: 'address_not_allowed' });
    expect(server.connections()).toBe(0);
  });

  it('refuses credentials in the URL without echoing them', async () => {
    const error = await failureOf(fetcher.fetchJson('https://user:s3cret@agents.example.com/card.json'));
    expect(error).toMatchObject({ status: 400, code: 'url_not_allowed', reason: 'credentials_in_url' });
    expect(error.message).not.toContain('s3cret');
    const userOnly = await failureOf(fetcher.fetchJson('https://user@agents.example.com/card.json'));
    expect(userOnly.reason).toBe('credentials_in_url');
  });

  it.each([
    ['not a url', 'invalid_url'],
    ['/relative/card.json', 'invalid_url'],
    [`https://example.com/${'a'.repeat(3000)}`, 'invalid_url'],
    ['ftp://example.com/card.json', 'scheme_not_allowed'],
    ['file:///etc/passwd', 'scheme_not_allowed'],
    ['javascript:alert(1)', 'scheme_not_allowed'],
    ['https://example.com:22/card.json', 'port_not_allowed'],
    ['https://example.com:25/card.json', 'port_not_allowed'],
  ])('refuses %s (%s)', async (url, reason) => {
    expect(await failureOf(fetcher.fetchJson(url))).toMatchObject({ status: 400, code: 'url_not_allowed', reason });
  });

  it('refuses unusable options with a typed error', () => {
    expect(() => createSafeFetcher({ maxBytes: 0 })).toThrow(OutboundConfigError);
    expect(() => createSafeFetcher({ totalTimeoutMs: Number.NaN })).toThrow(OutboundConfigError);
    expect(() => createSafeFetcher({ maxRedirects: -1 })).toThrow(OutboundConfigError);
    expect(() => createSafeFetcher({ totalTimeoutMs: 2 ** 31 })).toThrow(OutboundConfigError);
    expect(() => createSafeFetcher({ userAgent: 'a\r\nX-Injected: 1' })).toThrow(OutboundConfigError);
  });
});

describe('safe fetch in test mode (private networks and http allowed)', () => {
  const fetcher = createSafeFetcher(TEST_MODE);

  it('fetches a JSON card from a local server', async () => {
    const server = await startServer(json(CARD));
    const fetched = await fetcher.fetchJson(`${server.origin}/card.json#fragment`);
    expect(fetched).toEqual({
      url: `${server.origin}/card.json`,
      text: JSON.stringify(CARD),
      json: CARD,
      contentType: 'application/json',
    });
    const [seen] = server.requests;
    expect(seen?.path).toBe('/card.json');
    expect(seen?.headers['user-agent']).toMatch(/^a2a-registry\//);
    expect(seen?.headers['accept-encoding']).toBe('identity');
    expect(seen?.headers.host).toBe(`127.0.0.1:${server.port}`);
  });

  it.each(['application/a2a-agent-card+json', 'application/json; charset=utf-8', 'Application/JSON', 'application/jwk-set+json'])(
    'accepts the content type %s',
    async (contentType) => {
      const server = await startServer(json(CARD, contentType));
      expect((await fetcher.fetchJson(`${server.origin}/card`)).json).toEqual(CARD);
    },
  );

  it.each(['text/html', 'text/plain', 'application/jsonp', 'application/json-seq', 'text/json', ''])(
    'refuses the content type %j with 502',
    async (contentType) => {
      const server = await startServer((_request, response) => {
        if (contentType) response.setHeader('Content-Type', contentType);
        response.end(JSON.stringify(CARD));
      });
      const error = await failureOf(fetcher.fetchJson(`${server.origin}/card`));
      expect(error).toMatchObject({ status: 502, code: 'upstream_error', reason: 'bad_content_type' });
    },
  );

  it('answers 502 for a non-2xx status, invalid JSON, non-UTF-8 and an encoded body', async () => {
    const server = await startServer(
      routes({
        '/missing': (_request, response) => response.writeHead(404, { 'Content-Type': 'application/json' }).end('{}'),
        '/broken': json('{"name": '),
        '/latin1': json(Buffer.from([0x22, 0xe9, 0x22])),
        '/gzip': (_request, response) =>
          response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }).end('x'),
      }),
    );
    const cases = [
      ['/missing', 'bad_status'],
      ['/broken', 'invalid_json'],
      ['/latin1', 'invalid_json'],
      ['/gzip', 'unsupported_encoding'],
    ] as const;
    for (const [path, reason] of cases) {
      const error = await failureOf(fetcher.fetchJson(`${server.origin}${path}`));
      expect(error).toMatchObject({ status: 502, code: 'upstream_error', reason, url: `${server.origin}${path}` });
    }
  });

  it('answers 502 when the connection is refused or closed mid-body', async () => {
    const closed = await startSilentServer();
    const port = closed.port;
    await closeServer(openServers.pop()!);
    const refused = await failureOf(fetcher.fetchJson(`http://127.0.0.1:${port}/card`));
    expect(refused).toMatchObject({ status: 502, code: 'upstream_error', reason: 'connection_failed' });

    const server = await startServer((request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100' });
      response.write('{"name":');
      setTimeout(() => request.socket.destroy(), 20);
    });
    const cut = await failureOf(fetcher.fetchJson(`${server.origin}/card`));
    expect(cut).toMatchObject({ status: 502, code: 'upstream_error', reason: 'connection_failed' });
  });

  it('connects only to the checked address and keeps the host name in Host', async () => {
    const server = await startServer(json(CARD));
    const dns = fakeDns({ 'pinned.test': ['127.0.0.1'] });
    const pinned = createSafeFetcher({ ...TEST_MODE, resolveHost: dns.resolveHost });
    const fetched = await pinned.fetchJson(`http://pinned.test:${server.port}/card.json`);
    expect(fetched.url).toBe(`http://pinned.test:${server.port}/card.json`);
    expect(server.requests[0]?.headers.host).toBe(`pinned.test:${server.port}`);
    expect(dns.calls).toEqual(['pinned.test']);
  });

  it('does not ask DNS again between the check and the connection (no rebinding)', async () => {
    const server = await startServer(json(CARD));
    let answers = 0;
    const rebinding = async (): Promise<ResolvedAddress[]> => {
      answers += 1;
      return [{ address: answers === 1 ? '127.0.0.1' : '169.254.169.254', family: 4 }];
    };
    const pinned = createSafeFetcher({ ...TEST_MODE, resolveHost: rebinding });
    expect((await pinned.fetchJson(`http://rebind.test:${server.port}/card.json`)).json).toEqual(CARD);
    expect(answers).toBe(1);
  });

  it('answers 502 dns_failed for a host that does not resolve', async () => {
    const dns = fakeDns({});
    const withDns = createSafeFetcher({ ...TEST_MODE, resolveHost: dns.resolveHost });
    const error = await failureOf(withDns.fetchJson('http://nowhere.test/card.json'));
    expect(error).toMatchObject({ status: 502, code: 'upstream_error', reason: 'dns_failed' });
  });
});

describe('redirects', () => {
  /** A server whose /hop/<n> redirects to /hop/<n-1>, and /hop/0 answers the card. */
  async function redirectChain(): Promise<TestServer> {
    return startServer((request, response) => {
      const hops = Number((request.url ?? '').split('/')[2]);
      if (hops > 0) redirect(`/hop/${hops - 1}`, hops % 2 === 0 ? 301 : 307)(request, response);
      else json(CARD)(request, response);
    });
  }

  it('follows up to 3 redirects', async () => {
    const server = await redirectChain();
    const fetched = await createSafeFetcher(TEST_MODE).fetchJson(`${server.origin}/hop/3`);
    expect(fetched.url).toBe(`${server.origin}/hop/0`);
    expect(fetched.json).toEqual(CARD);
    expect(server.requests.map((seen) => seen.path)).toEqual(['/hop/3', '/hop/2', '/hop/1', '/hop/0']);
  });

  it('refuses the 4th redirect without following it', async () => {
    const server = await redirectChain();
    const error = await failureOf(createSafeFetcher(TEST_MODE).fetchJson(`${server.origin}/hop/4`));
    expect(error).toMatchObject({ status: 502, code: 'upstream_error', reason: 'too_many_redirects' });
    expect(server.requests.map((seen) => seen.path)).toEqual(['/hop/4', '/hop/3', '/hop/2', '/hop/1']);
  });

  it('honours a smaller maxRedirects', async () => {
    const server = await redirectChain();
    const error = await failureOf(createSafeFetcher({ ...TEST_MODE, maxRedirects: 0 }).fetchJson(`${server.origin}/hop/1`));
    expect(error.reason).toBe('too_many_redirects');
    expect(server.requests).toHaveLength(1);
  });

  it('re-validates and re-resolves every Location', async () => {
    const target = await startServer(json(CARD), { host: '127.0.0.2' });
    const origin = await startServer(redirect(`http://evil.test:${target.port}/card.json`));
    const dns = fakeDns({ 'good.test': ['127.0.0.1'], 'evil.test': ['127.0.0.2'] });
    const refusing = createSafeFetcher({
      ...TEST_MODE,
      resolveHost: dns.resolveHost,
      isAddressAllowed: (address) => address === '127.0.0.1',
    });
    const error = await failureOf(refusing.fetchJson(`http://good.test:${origin.port}/start`));
    expect(error).toMatchObject({ status: 400, code: 'url_not_allowed', reason: 'address_not_allowed' });
    expect(dns.calls).toEqual(['good.test', 'evil.test']);
    expect(origin.requests).toHaveLength(1);
    expect(target.connections()).toBe(0);

    // the same redirect is followed when the policy admits the target: the refusal came from the policy
    const admitting = createSafeFetcher({ ...TEST_MODE, resolveHost: dns.resolveHost });
    expect((await admitting.fetchJson(`http://good.test:${origin.port}/start`)).json).toEqual(CARD);
    expect(target.requests[0]?.headers.host).toBe(`evil.test:${target.port}`);
  });

  it.each([
    ['http://169.254.169.254/latest/meta-data/', 'address_not_allowed'],
    ['http://[::ffff:a9fe:a9fe]/', 'address_not_allowed'],
    ['http://metadata.google.internal/', 'host_not_allowed'],
    ['file:///etc/passwd', 'scheme_not_allowed'],
    ['gopher://127.0.0.1:6379/_INFO', 'scheme_not_allowed'],
    ['http://127.0.0.1:22/', 'port_not_allowed'],
    ['http://user:pw@127.0.0.1/', 'credentials_in_url'],
  ])('refuses a redirect to %s (%s) even with private networks allowed', async (location, reason) => {
    const server = await startServer(redirect(location));
    const error = await failureOf(createSafeFetcher(TEST_MODE).fetchJson(`${server.origin}/start`));
    expect(error).toMatchObject({ status: 400, code: 'url_not_allowed', reason });
  });

  it('refuses a redirect to [::1] when only the origin\'s own address is admitted', async () => {
    const target = await startServer(json(CARD));
    const origin = await startServer(redirect(`http://[::1]:${target.port}/card.json`));
    const dns = fakeDns({ 'public.test': ['127.0.0.1'] });
    // stands in for a public origin: only the first hop's own address is admitted
    const fetcher = createSafeFetcher({
      allowHttp: true,
      resolveHost: dns.resolveHost,
      isAddressAllowed: (address) => address === '127.0.0.1',
    });
    const error = await failureOf(fetcher.fetchJson(`http://public.test:${origin.port}/start`));
    expect(error).toMatchObject({ status: 400, code: 'url_not_allowed', reason: 'address_not_allowed' });
    expect(target.connections()).toBe(0);
  });

  it('answers 502 bad_redirect for a redirect without Location', async () => {
    const server = await startServer((_request, response) => response.writeHead(302).end());
    const error = await failureOf(createSafeFetcher(TEST_MODE).fetchJson(`${server.origin}/start`));
    expect(error).toMatchObject({ status: 502, code: 'upstream_error', reason: 'bad_redirect' });
  });
});

describe('https', () => {
  const dns = fakeDns({ 'agent.test': ['127.0.0.1'], 'other.test': ['127.0.0.1'] });
  const secure: SafeFetchOptions = { allowPrivateNetworks: true, resolveHost: dns.resolveHost, ca: TLS_CERT, totalTimeoutMs: 5000 };

  it('verifies the certificate against the host name and sends it as SNI and Host', async () => {
    const server = await startServer(json(CARD, 'application/a2a-agent-card+json'), { tls: true });
    const fetched = await createSafeFetcher(secure).fetchJson(`https://agent.test:${server.port}/card.json`);
    expect(fetched.json).toEqual(CARD);
    expect(server.requests[0]).toMatchObject({ servername: 'agent.test', headers: { host: `agent.test:${server.port}` } });
  });

  it('answers 502 tls_failed for a certificate of another name or an untrusted one', async () => {
    const server = await startServer(json(CARD), { tls: true });
    const wrongName = await failureOf(createSafeFetcher(secure).fetchJson(`https://other.test:${server.port}/card.json`));
    expect(wrongName).toMatchObject({ status: 502, code: 'upstream_error', reason: 'tls_failed' });
    const untrusted = await failureOf(
      createSafeFetcher({ ...secure, ca: undefined }).fetchJson(`https://agent.test:${server.port}/card.json`),
    );
    expect(untrusted).toMatchObject({ status: 502, code: 'upstream_error', reason: 'tls_failed' });
    expect(server.requests).toHaveLength(0);
  });

  it('refuses an https→http redirect unless allowHttp', async () => {
    const plain = await startServer(json(CARD));
    const server = await startServer(redirect(`http://agent.test:${plain.port}/card.json`), { tls: true });
    const url = `https://agent.test:${server.port}/card.json`;
    const error = await failureOf(createSafeFetcher(secure).fetchJson(url));
    expect(error).toMatchObject({ status: 400, code: 'url_not_allowed', reason: 'insecure_redirect' });
    expect(plain.connections()).toBe(0);
    const downgraded = await createSafeFetcher({ ...secure, allowHttp: true }).fetchJson(url);
    expect(downgraded.url).toBe(`http://agent.test:${plain.port}/card.json`);
  });

  it('trips the connect timeout when the TLS handshake never completes', async () => {
    const silent = await startSilentServer();
    const started = Date.now();
    const fetcher = createSafeFetcher({ ...secure, connectTimeoutMs: 200, totalTimeoutMs: 5000 });
    const error = await failureOf(fetcher.fetchJson(`https://agent.test:${silent.port}/card.json`));
    expect(error).toMatchObject({ status: 504, code: 'upstream_timeout', reason: 'connect_timeout' });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('limits', () => {
  const MAX = 1024;
  const fetcher = createSafeFetcher({ ...TEST_MODE, maxBytes: MAX });
  const bodyOf = (bytes: number) => JSON.stringify({ pad: 'x'.repeat(bytes - 10) });

  it('refuses a document nested deeper than maxDepth with 502 json_too_deep, and accepts one at it', async () => {
    const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    const shallow = createSafeFetcher({ ...TEST_MODE, maxDepth: 8 });
    const server = await startServer(routes({ '/at': json(nested(8)), '/over': json(nested(9)) }));
    expect((await shallow.fetchJson(`${server.origin}/at`)).text).toBe(nested(8));
    const error = await failureOf(shallow.fetchJson(`${server.origin}/over`));
    expect(error).toMatchObject({ status: 502, code: 'upstream_error', reason: 'json_too_deep' });
  });

  it('accepts a body of exactly maxBytes', async () => {
    const body = bodyOf(MAX);
    expect(Buffer.byteLength(body)).toBe(MAX);
    const server = await startServer(json(body));
    expect((await fetcher.fetchJson(`${server.origin}/card`)).text).toBe(body);
  });

  it('refuses a body over maxBytes with 502 too_large', async () => {
    const server = await startServer(json(bodyOf(MAX + 1)));
    const error = await failureOf(fetcher.fetchJson(`${server.origin}/card`));
    expect(error).toMatchObject({ status: 502, code: 'upstream_error', reason: 'too_large' });
  });

  it('refuses a declared Content-Length over maxBytes before any body arrives', async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(MAX * 100) });
      response.flushHeaders(); // and never a byte of body
    });
    const started = Date.now();
    const error = await failureOf(fetcher.fetchJson(`${server.origin}/card`));
    expect(error).toMatchObject({ status: 502, code: 'upstream_error', reason: 'too_large' });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('cuts off a chunked body once it passes maxBytes', async () => {
    let written = 0;
    let closed = false;
    const server = await startServer((request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' }); // no Content-Length: chunked
      response.write('[');
      const timer = setInterval(() => {
        written += 512;
        response.write(`"${'y'.repeat(508)}",`);
      }, 5);
      request.socket.on('close', () => {
        closed = true;
        clearInterval(timer);
      });
    });
    const error = await failureOf(fetcher.fetchJson(`${server.origin}/card`));
    expect(error).toMatchObject({ status: 502, code: 'upstream_error', reason: 'too_large' });
    await expect.poll(() => closed, { timeout: 2000 }).toBe(true);
    expect(written).toBeLessThan(MAX * 20);
    expect(server.requests).toHaveLength(1);
  });

  it('trips the total timeout on a server that dribbles its body', async () => {
    const server = await startServer((request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.write('[');
      const timer = setInterval(() => response.write('1,'), 50);
      request.socket.on('close', () => clearInterval(timer));
    });
    const started = Date.now();
    const slow = createSafeFetcher({ ...TEST_MODE, totalTimeoutMs: 300 });
    const error = await failureOf(slow.fetchJson(`${server.origin}/card`));
    expect(error).toMatchObject({ status: 504, code: 'upstream_timeout', reason: 'total_timeout' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('trips the total timeout on a server that accepts but never answers headers', async () => {
    const silent = await startSilentServer();
    const started = Date.now();
    const slow = createSafeFetcher({ ...TEST_MODE, totalTimeoutMs: 300 });
    const error = await failureOf(slow.fetchJson(`http://127.0.0.1:${silent.port}/card`));
    expect(error).toMatchObject({ status: 504, code: 'upstream_timeout', reason: 'total_timeout' });
    expect(silent.connections()).toBe(1);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('counts redirect hops against the total timeout', async () => {
    const server = await startServer((request, response) => {
      setTimeout(() => redirect(`/again${request.url ?? ''}`)(request, response), 150);
    });
    const slow = createSafeFetcher({ ...TEST_MODE, totalTimeoutMs: 400, maxRedirects: 10 });
    const error = await failureOf(slow.fetchJson(`${server.origin}/start`));
    expect(error).toMatchObject({ status: 504, reason: 'total_timeout' });
    expect(server.requests.length).toBeLessThanOrEqual(3);
  });
});

describe('fetchAgentCard', () => {
  const fetcher = createSafeFetcher(TEST_MODE);

  it('prefers /.well-known/agent-card.json of the origin', async () => {
    const server = await startServer(
      routes({
        '/.well-known/agent-card.json': json({ ...CARD, name: 'new' }),
        '/.well-known/agent.json': json({ ...CARD, name: 'old' }),
      }),
    );
    const card = await fetcher.fetchAgentCard(`${server.origin}/some/page?x=1`);
    expect(card.json).toMatchObject({ name: 'new' });
    expect(card.sourceUrl).toBe(`${server.origin}/.well-known/agent-card.json`);
    expect(server.requests.map((seen) => seen.path)).toEqual(['/.well-known/agent-card.json']);
  });

  it('falls back to /.well-known/agent.json', async () => {
    const server = await startServer(routes({ '/.well-known/agent.json': json(CARD) }));
    const card = await fetcher.fetchAgentCard(server.origin);
    expect(card).toMatchObject({ json: CARD, sourceUrl: `${server.origin}/.well-known/agent.json` });
    expect(server.requests.map((seen) => seen.path)).toEqual(['/.well-known/agent-card.json', '/.well-known/agent.json']);
  });

  it('falls back when the first location answers HTML', async () => {
    const server = await startServer(
      routes({
        '/.well-known/agent-card.json': json('<html></html>', 'text/html'),
        '/.well-known/agent.json': json(CARD),
      }),
    );
    expect((await fetcher.fetchAgentCard(`${server.origin}/`)).sourceUrl).toBe(`${server.origin}/.well-known/agent.json`);
  });

  it('records the location requested as sourceUrl and the redirect target as url', async () => {
    const server = await startServer(
      routes({ '/.well-known/agent-card.json': redirect('/cards/v2.json'), '/cards/v2.json': json(CARD) }),
    );
    const card = await fetcher.fetchAgentCard(server.origin);
    expect(card.sourceUrl).toBe(`${server.origin}/.well-known/agent-card.json`);
    expect(card.url).toBe(`${server.origin}/cards/v2.json`);
  });

  it('fetches exactly the URL given when it points at a JSON document', async () => {
    const server = await startServer(routes({ '/agents/weather.json': json(CARD) }));
    const card = await fetcher.fetchAgentCard(`${server.origin}/agents/weather.json`);
    expect(card.sourceUrl).toBe(`${server.origin}/agents/weather.json`);
    const missing = await failureOf(fetcher.fetchAgentCard(`${server.origin}/agents/other.json`));
    expect(missing).toMatchObject({ status: 502, reason: 'bad_status' });
    expect(server.requests.map((seen) => seen.path)).toEqual(['/agents/weather.json', '/agents/other.json']);
  });

  it('answers 502 no_agent_card when neither location has a card', async () => {
    const server = await startServer(routes({}));
    const error = await failureOf(fetcher.fetchAgentCard(server.origin));
    expect(error).toMatchObject({ status: 502, code: 'upstream_error', reason: 'no_agent_card' });
    expect(error.message).toContain('agent-card.json');
    expect(error.message).toContain('agent.json');
  });

  it('does not try the fallback after a refusal or a timeout', async () => {
    const refused = await failureOf(createSafeFetcher().fetchAgentCard('https://127.0.0.1/'));
    expect(refused).toMatchObject({ status: 400, code: 'url_not_allowed' });
    const silent = await startSilentServer();
    const slow = createSafeFetcher({ ...TEST_MODE, totalTimeoutMs: 200 });
    const timedOut = await failureOf(slow.fetchAgentCard(`http://127.0.0.1:${silent.port}`));
    expect(timedOut).toMatchObject({ status: 504, code: 'upstream_timeout' });
    expect(silent.connections()).toBe(1);
  });

  it('refuses credentials and bad schemes before any request', async () => {
    const server = await startServer(json(CARD));
    const withCredentials = `http://user:pw@127.0.0.1:${server.port}/`;
    expect(await failureOf(fetcher.fetchAgentCard(withCredentials))).toMatchObject({ reason: 'credentials_in_url' });
    expect(await failureOf(fetcher.fetchAgentCard('ftp://example.com/'))).toMatchObject({ reason: 'scheme_not_allowed' });
    expect(server.connections()).toBe(0);
  });
});

describe('isJsonContentType', () => {
  it.each([
    ['application/json', true],
    ['application/json;charset=UTF-8', true],
    ['application/a2a-agent-card+json', true],
    ['application/problem+json', true],
    [' application/JSON ', true],
    ['application/jsonx', false],
    ['application/+json', false],
    ['text/json', false],
    ['application/json+xml', false],
    ['', false],
  ])('%j → %s', (contentType, expected) => {
    expect(isJsonContentType(contentType)).toBe(expected);
  });
});
