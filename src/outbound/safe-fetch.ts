import { lookup as dnsLookup } from 'node:dns/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction, type Socket } from 'node:net';
import { jsonDepth } from '../http/raw-json.js';
import { VERSION } from '../version.js';
import {
  OutboundFailureReason,
  OutboundFetchError,
  UrlNotAllowedError,
  UpstreamError,
  UpstreamTimeoutError,
  OutboundConfigError,
} from './outbound-errors.js';
import { judgeAddress, judgeHostname, type AddressVerdict } from './address-policy.js';

/**
 * An SSRF-safe fetcher of small JSON documents (agent cards, JWKS) at URLs clients hand the registry.
 * Every hop is validated (scheme, credentials, port, host name), resolved once, refused when any
 * resolved address is disallowed, and then connected to exactly the checked addresses (DNS pinning),
 * with connect and total timeouts, a size cap and a JSON content-type requirement.
 */

/** One address a host name resolved to. */
export interface ResolvedAddress {
  address: string;
  /** 4 or 6. */
  family: number;
}

/** Resolves a host name to all its addresses (the default uses `dns.lookup` with `all: true`). */
export type HostResolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

/** Options of {@link createSafeFetcher}. */
export interface SafeFetchOptions {
  /** Allow plain `http:` URLs and https→http redirects. @defaultValue false (https only) */
  allowHttp?: boolean;
  /**
   * Allow loopback, private, carrier-grade NAT and other non-public addresses and `localhost` names,
   * for tests and private deployments (see `AddressPolicyOptions` in `address-policy.ts`). Cloud
   * metadata endpoints, link-local, multicast, broadcast and unspecified addresses stay refused.
   * @defaultValue false
   */
  allowPrivateNetworks?: boolean;
  /** Time allowed for each TCP connect (and TLS handshake) in milliseconds. @defaultValue 3000 */
  connectTimeoutMs?: number;
  /** Time allowed for a whole fetch: DNS, every redirect hop and the body. @defaultValue 10000 */
  totalTimeoutMs?: number;
  /** Largest accepted response body in bytes. @defaultValue 262144 (256 KiB) */
  maxBytes?: number;
  /** Most redirects followed; one more is refused with `too_many_redirects`. @defaultValue 3 */
  maxRedirects?: number;
  /** Deepest nesting of arrays and objects accepted in a fetched document, as in request bodies. @defaultValue 64 */
  maxDepth?: number;
  /** The `User-Agent` header sent. @defaultValue `a2a-registry/<version>` */
  userAgent?: string;
  /**
   * Replaces the address policy: called with every address a host resolves to (and every IP literal
   * in a URL); any `false` refuses the URL. Meant for tests and special deployments.
   * @defaultValue `judgeAddress(address, { allowPrivateNetworks }).allowed` from `address-policy.ts`
   */
  isAddressAllowed?: (address: string) => boolean;
  /** Resolves host names. @defaultValue `dns.lookup(hostname, { all: true, verbatim: true })` */
  resolveHost?: HostResolver;
  /** Extra trusted CA certificates (PEM) for https, replacing Node's bundled roots. @defaultValue Node's roots */
  ca?: string | Buffer | ReadonlyArray<string | Buffer>;
}

/** A fetched JSON document. */
export interface FetchedJson {
  /** The final URL, after redirects. */
  url: string;
  /** The body as text (UTF-8). */
  text: string;
  /** The parsed body. */
  json: unknown;
  /** The `Content-Type` header as the upstream sent it. */
  contentType: string;
}

/** A fetched agent card: {@link FetchedJson} plus the card location that answered. */
export interface FetchedAgentCard extends FetchedJson {
  /** The location requested (before redirects): the one to store for periodic re-fetching. */
  sourceUrl: string;
}

/** One request whose answer the caller judges itself, whatever its status (a probe's). */
export interface OutboundRequest {
  method: 'GET' | 'POST';
  /** Headers besides `Host`, `User-Agent` and `Accept-Encoding`, which the fetcher sets. */
  headers: Readonly<Record<string, string>>;
  /** A UTF-8 body, for a POST. */
  body?: string;
}

/** What a server answered to an {@link OutboundRequest}. */
export interface OutboundAnswer {
  status: number;
  contentType: string;
  /** The `Retry-After` header as sent, if any. */
  retryAfter?: string;
  /** The body as text; empty when it is not UTF-8. */
  text: string;
  /** The parsed body when it is JSON by its content type and parses; undefined otherwise. */
  json?: unknown;
}

/** Fetches JSON documents safely; see {@link createSafeFetcher}. */
export interface SafeFetcher {
  /**
   * GETs `url` and returns its JSON body. Throws only {@link OutboundFetchError}s:
   * {@link UrlNotAllowedError} (400), {@link UpstreamError} (502), {@link UpstreamTimeoutError} (504).
   */
  fetchJson(url: string): Promise<FetchedJson>;
  /** GETs exactly `url` as an agent card (asking for A2A 1.0, as {@link fetchAgentCard} does): for refreshes of a known card location. */
  fetchCardAt(url: string): Promise<FetchedJson>;
  /** GETs exactly `url` as an AI Catalog or, failing that, an agent card (asking for A2A 1.0): for URLs that may name either. */
  fetchCatalogAt(url: string): Promise<FetchedJson>;
  /**
   * Fetches an agent card given a URL, asking for A2A 1.0 (`A2A-Version: 1.0`, `Accept: application/a2a+json,
   * application/json`): when the URL's path is a JSON document (ends in `.json`, other
   * than the well-known card path) exactly that URL; otherwise `/.well-known/agent-card.json` of its
   * origin, falling back to `/.well-known/agent.json` when the first does not answer usable JSON
   * (a non-2xx status, a redirect problem, a wrong content type, invalid JSON, too large). Refusals,
   * DNS/connection failures and timeouts are thrown at once; when both locations fail the error is
   * an {@link UpstreamError} with reason `no_agent_card`.
   */
  fetchAgentCard(url: string): Promise<FetchedAgentCard>;
  /**
   * Sends one request to `url` under the same policy, limits and timeouts, and answers whatever
   * came back, any status: a GET follows redirects (each hop checked), a POST answers them as they
   * are. Throws only
   * {@link OutboundFetchError}s, for refusals, network failures, timeouts and oversized bodies.
   */
  send(url: string, request: OutboundRequest): Promise<OutboundAnswer>;
}

/** The options with their defaults applied. */
interface Settings {
  allowHttp: boolean;
  connectTimeoutMs: number;
  totalTimeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  maxDepth: number;
  userAgent: string;
  judgeAddress: (address: string) => AddressVerdict;
  allowPrivateNetworks: boolean;
  resolveHost: HostResolver;
  ca: string | Buffer | Array<string | Buffer> | undefined;
}

/** A validated URL about to be fetched. */
interface Target {
  url: URL;
  /** The host name or IP literal, without IPv6 brackets. */
  host: string;
  port: number;
  secure: boolean;
}

/** What one request/response exchange produced. */
type Outcome =
  | { kind: 'redirect'; location: string }
  | { kind: 'document'; body: Buffer; contentType: string; status: number; retryAfter?: string };

const MAX_URL_LENGTH = 2048;
/** The longest delay `setTimeout` honours. */
const MAX_TIMER_MS = 2_147_483_647;
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
const JSON_MEDIA_TYPE = /^application\/(?:json|[a-z0-9!#$&^_.+-]+\+json)$/;
const WELL_KNOWN_CARD_PATHS = ['/.well-known/agent-card.json', '/.well-known/agent.json'] as const;

/** The headers that say what a request wants back. */
type WantedHeaders = Readonly<Record<string, string>>;

/** A request as an exchange sends it; `anyStatus`: answer every status (no redirect followed) instead of wanting a 2xx JSON document. */
interface RequestShape extends OutboundRequest {
  anyStatus?: boolean;
}

const asGet = (headers: WantedHeaders): RequestShape => ({ method: 'GET', headers });

/** Any JSON document (a JWKS, a card at a URL that names it). */
const JSON_DOCUMENT: WantedHeaders = { Accept: 'application/json, application/*+json;q=0.9' };

/**
 * An agent card: an A2A server that also speaks 0.3 answers the card of the version asked for
 * (without the header, 0.3), so the registry asks for 1.0 and takes what comes, labelled by its shape.
 */
const AGENT_CARD: WantedHeaders = { Accept: 'application/a2a+json, application/json', 'A2A-Version': '1.0' };

/** An AI Catalog (an ARD manifest is one), or an agent card where the URL turns out to name one. */
const CATALOG_OR_CARD: WantedHeaders = {
  Accept: 'application/ai-catalog+json, application/a2a+json;q=0.9, application/json;q=0.8',
  'A2A-Version': '1.0',
};
const NO_FALLBACK_REASONS: ReadonlySet<OutboundFailureReason> = new Set<OutboundFailureReason>([
  'dns_failed',
  'connection_failed',
  'tls_failed',
]);

/**
 * Creates a fetcher of JSON documents at untrusted URLs (see {@link SafeFetchOptions} for the
 * defaults). Throws {@link OutboundConfigError} when an option is out of range.
 */
export function createSafeFetcher(options: SafeFetchOptions = {}): SafeFetcher {
  const settings = resolveSettings(options);
  return {
    fetchJson: (url) => fetchJson(url, settings, JSON_DOCUMENT),
    fetchCardAt: (url) => fetchJson(url, settings, AGENT_CARD),
    fetchCatalogAt: (url) => fetchJson(url, settings, CATALOG_OR_CARD),
    fetchAgentCard: (url) => fetchAgentCard(url, settings),
    send: (url, request) => send(url, request, settings),
  };
}

function resolveSettings(options: SafeFetchOptions): Settings {
  const allowPrivateNetworks = options.allowPrivateNetworks ?? false;
  const override = options.isAddressAllowed;
  return {
    allowHttp: options.allowHttp ?? false,
    connectTimeoutMs: positiveInteger('connectTimeoutMs', options.connectTimeoutMs, 3000, MAX_TIMER_MS),
    totalTimeoutMs: positiveInteger('totalTimeoutMs', options.totalTimeoutMs, 10_000, MAX_TIMER_MS),
    maxBytes: positiveInteger('maxBytes', options.maxBytes, 256 * 1024),
    maxRedirects: nonNegativeInteger('maxRedirects', options.maxRedirects, 3),
    maxDepth: positiveInteger('maxDepth', options.maxDepth, 64),
    userAgent: headerValue('userAgent', options.userAgent, `a2a-registry/${VERSION}`),
    judgeAddress: override ? overriddenPolicy(override) : (address) => judgeAddress(address, { allowPrivateNetworks }),
    allowPrivateNetworks,
    resolveHost: options.resolveHost ?? defaultResolver,
    ca: typeof options.ca === 'string' || Buffer.isBuffer(options.ca) ? options.ca : options.ca && [...options.ca],
  };
}

function positiveInteger(name: string, value: number | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0 || value > max) {
    throw new OutboundConfigError(`${name} must be an integer from 1 to ${max}, got ${value}`);
  }
  return value;
}

function nonNegativeInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new OutboundConfigError(`${name} must be a non-negative integer, got ${value}`);
  }
  return value;
}

function headerValue(name: string, value: string | undefined, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^[\x20-\x7e]+$/.test(value)) {
    throw new OutboundConfigError(`${name} must be printable ASCII text`);
  }
  return value;
}

/** Ports URLs may name: 80, 443 and every port from 1024 up, refusing the other well-known service ports (22, 25, ...). */
function isPortAllowed(port: number): boolean {
  return port === 80 || port === 443 || port >= 1024;
}

function overriddenPolicy(isAllowed: (address: string) => boolean): (address: string) => AddressVerdict {
  return (address) =>
    isAllowed(address)
      ? { allowed: true, address }
      : { allowed: false, address, range: 'reserved', reason: 'refused by the configured address policy' };
}

async function defaultResolver(hostname: string): Promise<readonly ResolvedAddress[]> {
  return dnsLookup(hostname, { all: true, verbatim: true });
}

// ---------------------------------------------------------------------------------------------
// fetchJson: deadline, redirect loop, result
// ---------------------------------------------------------------------------------------------

async function fetchJson(url: string, settings: Settings, wanted: WantedHeaders): Promise<FetchedJson> {
  const deadline = startDeadline(settings.totalTimeoutMs, url);
  try {
    return await followRedirects(url, settings, wanted, deadline.signal);
  } catch (error) {
    throw asOutboundError(error, url, deadline.signal);
  } finally {
    deadline.clear();
  }
}

/** An abort signal that fires with an {@link UpstreamTimeoutError} once the total time is spent. */
function startDeadline(totalTimeoutMs: number, url: string): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(new UpstreamTimeoutError(`Fetching ${url} took longer than ${totalTimeoutMs} ms`, 'total_timeout', url));
  }, totalTimeoutMs);
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

/** Whatever was thrown, as an {@link OutboundFetchError} (the deadline's error wins once it fired). */
function asOutboundError(error: unknown, url: string, signal?: AbortSignal): OutboundFetchError {
  if (error instanceof OutboundFetchError) return error;
  if (signal?.aborted && signal.reason instanceof OutboundFetchError) return signal.reason;
  return new UpstreamError(`Fetching ${url} failed: ${describe(error)}`, 'connection_failed', url);
}

async function followRedirects(url: string, settings: Settings, wanted: WantedHeaders, signal: AbortSignal): Promise<FetchedJson> {
  let target = checkUrl(url, settings);
  for (let redirects = 0; ; redirects += 1) {
    const addresses = await resolveTarget(target, settings, signal);
    const outcome = await exchange(target, addresses, settings, asGet(wanted), signal);
    if (outcome.kind === 'document') return toFetchedJson(target, outcome.body, outcome.contentType, settings.maxDepth);
    if (redirects >= settings.maxRedirects) {
      throw new UpstreamError(
        `${target.url.href} redirected more than ${settings.maxRedirects} times`,
        'too_many_redirects',
        target.url.href,
      );
    }
    target = checkRedirect(outcome.location, target, settings);
  }
}

function toFetchedJson(target: Target, body: Buffer, contentType: string, maxDepth: number): FetchedJson {
  const href = target.url.href;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new UpstreamError(`${href} answered a body that is not UTF-8`, 'invalid_json', href);
  }
  const depth = jsonDepth(text);
  if (depth > maxDepth) throw new UpstreamError(`${href} answered JSON nested ${depth} deep, deeper than the limit of ${maxDepth}`, 'json_too_deep', href);
  try {
    return { url: href, text, json: JSON.parse(text) as unknown, contentType };
  } catch {
    throw new UpstreamError(`${href} answered a body that is not valid JSON`, 'invalid_json', href);
  }
}

// ---------------------------------------------------------------------------------------------
// URL validation and resolution
// ---------------------------------------------------------------------------------------------

/** Parses and validates a URL the client gave: scheme, credentials, port, host name or IP literal. */
function checkUrl(raw: string, settings: Settings): Target {
  const url = parseUrl(raw);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && settings.allowHttp)) {
    const allowed = settings.allowHttp ? 'https or http' : 'https';
    throw new UrlNotAllowedError(`URL scheme must be ${allowed}`, 'scheme_not_allowed');
  }
  if (url.username !== '' || url.password !== '') {
    throw new UrlNotAllowedError('URL must not carry credentials', 'credentials_in_url');
  }
  url.hash = '';
  const secure = url.protocol === 'https:';
  const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
  if (!isPortAllowed(port)) {
    throw new UrlNotAllowedError(`URL port ${port} is not allowed`, 'port_not_allowed', url.href);
  }
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  checkHost(host, url, settings);
  return { url, host, port, secure };
}

function parseUrl(raw: string): URL {
  if (typeof raw !== 'string' || raw.length > MAX_URL_LENGTH) {
    throw new UrlNotAllowedError(`URL must be a string of at most ${MAX_URL_LENGTH} characters`, 'invalid_url');
  }
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (!url) throw new UrlNotAllowedError('URL is not a valid absolute URL', 'invalid_url');
  return url;
}

/** Refuses a refused host name, or an IP literal the address policy refuses. */
function checkHost(host: string, url: URL, settings: Settings): void {
  if (isIP(host) !== 0) {
    const verdict = settings.judgeAddress(host);
    if (!verdict.allowed) {
      throw new UrlNotAllowedError(`Address ${host} may not be contacted: ${verdict.reason}`, 'address_not_allowed', url.href);
    }
    return;
  }
  const verdict = judgeHostname(host, { allowPrivateNetworks: settings.allowPrivateNetworks });
  if (!verdict.allowed) {
    throw new UrlNotAllowedError(`Host ${host} may not be contacted: ${verdict.reason}`, 'host_not_allowed', url.href);
  }
}

/** Validates a redirect's Location against the URL that answered it. */
function checkRedirect(location: string, from: Target, settings: Settings): Target {
  const resolved = URL.canParse(location, from.url.href) ? new URL(location, from.url.href) : undefined;
  if (!resolved) {
    throw new UpstreamError(`${from.url.href} redirected to an invalid URL`, 'bad_redirect', from.url.href);
  }
  if (from.secure && resolved.protocol === 'http:' && !settings.allowHttp) {
    throw new UrlNotAllowedError(`${from.url.href} redirected from https to http`, 'insecure_redirect', from.url.href);
  }
  return checkUrl(resolved.href, settings);
}

/** The addresses to connect to: the IP literal, or every address the host name resolves to, all judged. */
async function resolveTarget(target: Target, settings: Settings, signal: AbortSignal): Promise<ResolvedAddress[]> {
  const family = isIP(target.host);
  if (family !== 0) return [{ address: target.host, family }];
  const addresses = await resolveHost(target, settings, signal);
  for (const { address } of addresses) {
    const verdict = settings.judgeAddress(address);
    if (!verdict.allowed) {
      throw new UrlNotAllowedError(
        `Host ${target.host} resolves to an address that may not be contacted (${verdict.range.replace(/_/g, ' ')})`,
        'address_not_allowed',
        target.url.href,
      );
    }
  }
  return addresses;
}

async function resolveHost(target: Target, settings: Settings, signal: AbortSignal): Promise<ResolvedAddress[]> {
  let addresses: readonly ResolvedAddress[];
  try {
    addresses = await untilAborted(settings.resolveHost(target.host), signal);
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw new UpstreamError(`Host ${target.host} could not be resolved (${describe(error)})`, 'dns_failed', target.url.href);
  }
  const usable = addresses.filter((entry) => isIP(entry.address) !== 0);
  if (usable.length === 0) {
    throw new UpstreamError(`Host ${target.host} resolved to no address`, 'dns_failed', target.url.href);
  }
  return usable.map(({ address }) => ({ address, family: isIP(address) }));
}

/** `promise`, or a rejection with the signal's reason as soon as it aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as unknown);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as unknown);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

// ---------------------------------------------------------------------------------------------
// One request/response exchange, pinned to the checked addresses
// ---------------------------------------------------------------------------------------------

/** Settles an exchange once; later calls are ignored and the request is torn down. */
interface Settle {
  resolve(outcome: Outcome): void;
  fail(error: unknown): void;
}

/** Sends one request to `target`, connecting only to `addresses`, and reads what it answers. */
function exchange(target: Target, addresses: ResolvedAddress[], settings: Settings, shape: RequestShape, signal: AbortSignal): Promise<Outcome> {
  return new Promise<Outcome>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as unknown);
      return;
    }
    const client = target.secure ? https : http;
    const request = client.request(requestOptions(target, addresses, settings, shape));
    let settled = false;
    let stopConnectWatch = () => {};
    const onAbort = () => settle.fail(signal.reason);
    const finish = (action: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      stopConnectWatch();
      action();
      request.destroy();
    };
    const settle: Settle = {
      resolve: (outcome) => finish(() => resolve(outcome)),
      fail: (error) => finish(() => reject(error)),
    };
    signal.addEventListener('abort', onAbort, { once: true });
    request.on('socket', (socket) => {
      stopConnectWatch = watchConnect(socket, target, settings.connectTimeoutMs, settle);
    });
    request.on('error', (error) => settle.fail(networkError(error, target)));
    request.on('response', (response) => handleResponse(response, target, settings, settle, shape));
    request.end(shape.body);
  });
}

function requestOptions(target: Target, addresses: ResolvedAddress[], settings: Settings, shape: RequestShape): https.RequestOptions {
  const literal = isIP(target.host) !== 0;
  return {
    method: shape.method,
    protocol: target.url.protocol,
    hostname: target.host,
    port: target.port,
    path: `${target.url.pathname}${target.url.search}`,
    headers: {
      Host: target.url.host,
      'User-Agent': settings.userAgent,
      ...shape.headers,
      ...(shape.body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(shape.body)) }),
      'Accept-Encoding': 'identity',
    },
    agent: false,
    lookup: pinnedLookup(addresses),
    insecureHTTPParser: false,
    ...(target.secure ? tlsOptions(literal ? undefined : target.host, settings) : {}),
  };
}

function tlsOptions(servername: string | undefined, settings: Settings): https.RequestOptions {
  return {
    rejectUnauthorized: true,
    ...(servername ? { servername } : {}),
    ...(settings.ca ? { ca: settings.ca } : {}),
  };
}

/** A `lookup` that never asks DNS again: it answers only the addresses already checked. */
function pinnedLookup(addresses: readonly ResolvedAddress[]): LookupFunction {
  return (hostname, options, callback) => {
    const family = options.family === 4 || options.family === 6 ? options.family : 0;
    const candidates = family === 0 ? addresses : addresses.filter((entry) => entry.family === family);
    const [first] = candidates;
    if (!first) {
      const error: NodeJS.ErrnoException = new Error(`no checked IPv${family} address for ${hostname}`);
      error.code = 'ENOTFOUND';
      callback(error, '');
      return;
    }
    if (options.all) callback(null, candidates.map((entry) => ({ ...entry })));
    else callback(null, first.address, first.family);
  };
}

/** Fails the exchange when the socket has not connected (and finished TLS) in time; returns a canceller. */
function watchConnect(socket: Socket, target: Target, connectTimeoutMs: number, settle: Settle): () => void {
  const timer = setTimeout(() => {
    settle.fail(
      new UpstreamTimeoutError(
        `Connecting to ${target.url.host} took longer than ${connectTimeoutMs} ms`,
        'connect_timeout',
        target.url.href,
      ),
    );
  }, connectTimeoutMs);
  socket.once(target.secure ? 'secureConnect' : 'connect', () => clearTimeout(timer));
  return () => clearTimeout(timer);
}

function handleResponse(response: IncomingMessage, target: Target, settings: Settings, settle: Settle, shape: RequestShape): void {
  const anyStatus = shape.anyStatus === true;
  response.on('error', (error) => settle.fail(networkError(error, target)));
  const problem = anyStatus ? bodyProblem(response, target, settings) : responseProblem(response, target, settings);
  if (problem) {
    settle.fail(problem);
    return;
  }
  const status = response.statusCode ?? 0;
  // A GET follows its redirects; another request answers them as they are.
  if (REDIRECT_STATUSES.has(status) && (!anyStatus || (shape.method === 'GET' && response.headers.location))) {
    settle.resolve({ kind: 'redirect', location: response.headers.location ?? '' });
    return;
  }
  readBody(response, target, settings.maxBytes, settle);
}

/** What is wrong with a response's status line and headers, or undefined when its body is wanted. */
function responseProblem(response: IncomingMessage, target: Target, settings: Settings): UpstreamError | undefined {
  const href = target.url.href;
  const status = response.statusCode ?? 0;
  if (REDIRECT_STATUSES.has(status)) {
    return response.headers.location ? undefined : new UpstreamError(`${href} redirected without a Location`, 'bad_redirect', href);
  }
  if (status < 200 || status > 299) return new UpstreamError(`${href} answered HTTP ${status}`, 'bad_status', href);
  const contentType = response.headers['content-type'] ?? '';
  if (!isJsonContentType(contentType)) {
    return new UpstreamError(`${href} answered content type '${contentType}', not JSON`, 'bad_content_type', href);
  }
  return bodyProblem(response, target, settings);
}

/** What keeps a response's body from being read: an encoding, or a declared size past the limit. */
function bodyProblem(response: IncomingMessage, target: Target, settings: Settings): UpstreamError | undefined {
  const href = target.url.href;
  const encoding = (response.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== '') {
    return new UpstreamError(`${href} answered an encoded body (${encoding})`, 'unsupported_encoding', href);
  }
  const declared = Number(response.headers['content-length'] ?? '0');
  if (declared > settings.maxBytes) return tooLarge(target, settings.maxBytes);
  return undefined;
}

/**
 * True for `application/json` and `application/<anything>+json` (such as
 * `application/a2a-agent-card+json` or `application/jwk-set+json`), parameters ignored.
 */
export function isJsonContentType(contentType: string): boolean {
  const mediaType = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return JSON_MEDIA_TYPE.test(mediaType);
}

/** Collects the body, failing the exchange as soon as it grows past `maxBytes`. */
function readBody(response: IncomingMessage, target: Target, maxBytes: number, settle: Settle): void {
  const chunks: Buffer[] = [];
  let received = 0;
  response.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received > maxBytes) settle.fail(tooLarge(target, maxBytes));
    else chunks.push(chunk);
  });
  response.on('end', () => {
    const retryAfter = response.headers['retry-after'];
    const answer = { body: Buffer.concat(chunks), contentType: response.headers['content-type'] ?? '', status: response.statusCode ?? 0 };
    settle.resolve({ kind: 'document', ...answer, ...(retryAfter ? { retryAfter } : {}) });
  });
  response.on('close', () => {
    if (!response.complete) settle.fail(new UpstreamError(`${target.url.href} closed the connection mid-body`, 'connection_failed', target.url.href));
  });
}

function tooLarge(target: Target, maxBytes: number): UpstreamError {
  return new UpstreamError(`${target.url.href} answered more than ${maxBytes} bytes`, 'too_large', target.url.href);
}

/** A socket or TLS error, as an {@link UpstreamError} (typed errors pass through). */
function networkError(error: unknown, target: Target): OutboundFetchError {
  if (error instanceof OutboundFetchError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  const reason = /CERT|TLS|SSL|UNABLE_TO_|HOSTNAME/.test(code) ? 'tls_failed' : 'connection_failed';
  const what = reason === 'tls_failed' ? 'TLS with' : 'Connecting to';
  return new UpstreamError(`${what} ${target.url.host} failed (${describe(error)})`, reason, target.url.href);
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.message : String(error);
}

/** One request under the fetcher's policy and deadline, answered whatever its status (a GET after its redirects). */
async function send(url: string, request: OutboundRequest, settings: Settings): Promise<OutboundAnswer> {
  const deadline = startDeadline(settings.totalTimeoutMs, url);
  try {
    let target = checkUrl(url, settings);
    for (let redirects = 0; ; redirects += 1) {
      const addresses = await resolveTarget(target, settings, deadline.signal);
      const outcome = await exchange(target, addresses, settings, { ...request, anyStatus: true }, deadline.signal);
      if (outcome.kind === 'document') return answerOf(outcome, target, settings.maxDepth);
      if (redirects >= settings.maxRedirects) {
        throw new UpstreamError(`${target.url.href} redirected more than ${settings.maxRedirects} times`, 'too_many_redirects', target.url.href);
      }
      target = checkRedirect(outcome.location, target, settings);
    }
  } catch (error) {
    throw asOutboundError(error, url, deadline.signal);
  } finally {
    deadline.clear();
  }
}

function answerOf(outcome: Extract<Outcome, { kind: 'document' }>, target: Target, maxDepth: number): OutboundAnswer {
  const { status, contentType, body } = outcome;
  const base = { status, contentType, ...(outcome.retryAfter ? { retryAfter: outcome.retryAfter } : {}) };
  if (!isJsonContentType(contentType)) return { ...base, text: new TextDecoder('utf-8').decode(body) };
  try {
    const { text, json } = toFetchedJson(target, body, contentType, maxDepth);
    return { ...base, text, json };
  } catch {
    return { ...base, text: new TextDecoder('utf-8').decode(body) };
  }
}

// ---------------------------------------------------------------------------------------------
// Agent cards
// ---------------------------------------------------------------------------------------------

async function fetchAgentCard(url: string, settings: Settings): Promise<FetchedAgentCard> {
  const failures: OutboundFetchError[] = [];
  const candidates = cardLocations(url, settings);
  for (const candidate of candidates) {
    try {
      return { ...(await fetchJson(candidate, settings, AGENT_CARD)), sourceUrl: candidate };
    } catch (error) {
      const failure = asOutboundError(error, candidate);
      if (candidates.length === 1 || !canFallBack(failure)) throw failure;
      failures.push(failure);
    }
  }
  const detail = failures.map((failure) => failure.message).join('; ');
  throw new UpstreamError(`No agent card found: ${detail}`, 'no_agent_card', candidates[0]);
}

/** The locations to try for `url`, in order (the URL is fully validated first). */
function cardLocations(url: string, settings: Settings): string[] {
  const target = checkUrl(url, settings);
  const path = target.url.pathname.toLowerCase();
  const isWellKnownCard = path === WELL_KNOWN_CARD_PATHS[0];
  if (path.endsWith('.json') && !isWellKnownCard) return [target.url.href];
  return WELL_KNOWN_CARD_PATHS.map((wellKnown) => new URL(wellKnown, target.url.origin).href);
}

/** Whether the next well-known location is worth trying after `failure` (the origin itself answered). */
export function canFallBack(failure: OutboundFetchError): boolean {
  return failure instanceof UpstreamError && !NO_FALLBACK_REASONS.has(failure.reason);
}
