import type { Redis } from 'ioredis';
import { beforeAll, describe, expect, it } from 'vitest';
import { redisKeys } from '../../src/store/redis-keys.js';
import { cardV03, cardV1, legacyCard } from '../helpers/cards.js';
import { sendJson } from '../helpers/registry-server.js';
import { useRegistry } from '../helpers/use-registry.js';

interface ErrorBody {
  error: { code: string; message: string; violations?: { path: string; message: string }[] };
  detail: string;
}


/**
 * Everything the registry stores under `prefix`: each key with its type and full content (a test
 * helper; uses SCAN). The sweep scheduler's own queue keys (`{prefix}bull:`) and the time of the
 * last completed sweep change on a timer whatever the requests do, so they are left out.
 */
async function snapshot(redis: Redis, prefix: string): Promise<Record<string, unknown>> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', 500);
    keys.push(...found.filter((key) => !key.startsWith(`${prefix}bull:`) && key !== redisKeys(prefix).lastSweep));
    cursor = next;
  } while (cursor !== '0');
  const content: Record<string, unknown> = {};
  for (const key of keys.sort()) {
    const type = await redis.type(key);
    if (type === 'string') content[key] = await redis.get(key);
    else if (type === 'hash') content[key] = await redis.hgetall(key);
    else if (type === 'set') content[key] = (await redis.smembers(key)).sort();
    else if (type === 'zset') content[key] = await redis.zrange(key, 0, -1, 'WITHSCORES');
    else content[key] = type;
  }
  return content;
}

/** Checks the status and the error shape every error response shares, and returns the body. */
async function expectError(res: Response, status: number, code: string): Promise<ErrorBody> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await res.json()) as ErrorBody;
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(0);
  expect(body.detail).toBe(body.error.message);
  return body;
}

const utf8 = (text: string) => new TextEncoder().encode(text);

/** encodeURIComponent that first replaces lone surrogates (which it cannot encode) with U+FFFD. */
const encode = (text: string) => encodeURIComponent(Buffer.from(text, 'utf8').toString('utf8'));

describe('bad input: errors are JSON, right in status, and change nothing', () => {
  const ctx = useRegistry();

  beforeAll(async () => {
    const res = await sendJson(`${ctx.base}/agents`, 'POST', { agent_card: cardV1() });
    expect(res.status).toBe(201);
    const other = await sendJson(`${ctx.base}/agents/kept-id`, 'PUT', { agent_card: cardV03() });
    expect(other.status).toBe(201);
  });

  /** Runs `request` and checks that nothing under the prefix changed, and both agents still read back. */
  async function unchangedBy<T>(request: () => Promise<T>): Promise<T> {
    const before = await snapshot(ctx.redis, ctx.prefix);
    expect(Object.keys(before).length).toBeGreaterThan(0);
    const result = await request();
    expect(await snapshot(ctx.redis, ctx.prefix)).toStrictEqual(before);
    expect((await fetch(`${ctx.base}/agents/weather-agent`)).status).toBe(200);
    expect(JSON.parse(await (await fetch(`${ctx.base}/agents/kept-id/card`)).text())).toStrictEqual(cardV03());
    return result;
  }

  const writeEndpoints = [
    ['POST', '/agents'],
    ['PUT', '/agents/kept-id'],
    ['POST', '/agents/search'],
  ] as const;

  it.each(writeEndpoints)('invalid JSON to %s %s answers 400 invalid_json', async (method, path) => {
    await unchangedBy(async () => {
      const res = await sendJson(`${ctx.base}${path}`, method, '{"agent_card": {"name": "Broken",');
      await expectError(res, 400, 'invalid_json');
    });
  });

  it('an invalid card answers 400 invalid_agent_card listing every violation with a path under $.agent_card', async () => {
    const card = cardV1({
      name: undefined,
      version: 5,
      supportedInterfaces: [{ url: 'not a url', protocolBinding: 'JSONRPC' }],
      skills: [{ id: 'forecast', name: 'Forecast', description: 'Forecasts', tags: [] }],
      defaultInputModes: 'text/plain',
    });
    await unchangedBy(async () => {
      const res = await sendJson(`${ctx.base}/agents`, 'POST', { agent_card: card });
      const body = await expectError(res, 400, 'invalid_agent_card');
      const paths = (body.error.violations ?? []).map((v) => v.path).sort();
      expect(paths).toEqual(
        [
          '$.agent_card.name',
          '$.agent_card.version',
          '$.agent_card.supportedInterfaces[0].url',
          '$.agent_card.supportedInterfaces[0].protocolVersion',
          '$.agent_card.skills[0].tags',
          '$.agent_card.defaultInputModes',
        ].sort(),
      );
      for (const violation of body.error.violations ?? []) expect(violation.message.length).toBeGreaterThan(0);
    });
  });

  it('a body that is not valid UTF-8 answers 400 invalid_utf8 instead of storing replaced characters', async () => {
    const text = JSON.stringify({ agent_card: cardV1({ name: 'Latin One', description: 'caf__' }) });
    const bytes = Buffer.from(text, 'utf8');
    const at = bytes.indexOf('__');
    bytes[at] = 0xe9; // "é" in Latin-1, a lone continuation-less lead byte in UTF-8
    bytes[at + 1] = 0x21;
    await unchangedBy(async () => {
      const res = await fetch(`${ctx.base}/agents`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bytes });
      const body = await expectError(res, 400, 'invalid_utf8');
      expect(body.error.violations).toEqual([{ path: '$', message: 'must be valid UTF-8' }]);
    });
  });

  it('a card with 60,000 tags answers 400 at its tags, before anything reaches the index', async () => {
    const tags = Array.from({ length: 60_000 }, (_, i) => `t${i}`);
    const card = cardV1({ skills: [{ id: 'bomb', name: 'Bomb', description: 'Many tags', tags }] });
    await unchangedBy(async () => {
      const body = await expectError(await sendJson(`${ctx.base}/agents`, 'POST', { agent_card: card }), 400, 'invalid_agent_card');
      expect(body.error.violations).toEqual([{ path: '$.agent_card.skills[0].tags', message: 'must hold at most 32 items' }]);
    });
  });

  it('a card over several limits answers 400 listing each, in every card format', async () => {
    const skill = (i: number) => ({ id: `s${i}`, name: `Skill ${i}`, description: 'A skill', tags: ['t'] });
    const overV1 = cardV1({
      skills: Array.from({ length: 101 }, (_, i) => skill(i)),
      provider: { organization: 'x'.repeat(257) },
      supportedInterfaces: Array.from({ length: 17 }, (_, i) => ({ url: `https://a.example/${i}`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' })),
      defaultInputModes: Array.from({ length: 33 }, (_, i) => `mode/${i}`),
      capabilities: { extensions: Array.from({ length: 33 }, (_, i) => ({ uri: `urn:ext:${i}` })) },
    });
    const overV03 = cardV03({ skills: [{ id: 'a', name: 'A', description: 'A', tags: Array.from({ length: 33 }, (_, i) => `t${i}`) }] });
    const overLegacy = legacyCard({ skills: [{ id: 'a', input_modes: Array.from({ length: 33 }, (_, i) => `m${i}`) }] });
    await unchangedBy(async () => {
      const v1 = await expectError(await sendJson(`${ctx.base}/agents`, 'POST', { agent_card: overV1 }), 400, 'invalid_agent_card');
      expect((v1.error.violations ?? []).sort((a, b) => a.path.localeCompare(b.path))).toEqual([
        { path: '$.agent_card.capabilities.extensions', message: 'must hold at most 32 items' },
        { path: '$.agent_card.defaultInputModes', message: 'must hold at most 32 items' },
        { path: '$.agent_card.provider.organization', message: 'must be at most 256 characters' },
        { path: '$.agent_card.skills', message: 'must hold at most 100 items' },
        { path: '$.agent_card.supportedInterfaces', message: 'must hold at most 16 items' },
      ]);
      const v03 = await expectError(await sendJson(`${ctx.base}/agents`, 'POST', { agent_card: overV03 }), 400, 'invalid_agent_card');
      expect(v03.error.violations).toEqual([{ path: '$.agent_card.skills[0].tags', message: 'must hold at most 32 items' }]);
      const legacy = await expectError(await sendJson(`${ctx.base}/agents`, 'POST', { agent_card: overLegacy }), 400, 'invalid_agent_card');
      expect(legacy.error.violations).toEqual([{ path: '$.agent_card.skills[0].input_modes', message: 'must hold at most 32 items' }]);
    });
  });

  it('a card within each limit that yields more than 1,024 index terms answers 400 naming the card', async () => {
    const skills = Array.from({ length: 40 }, (_, s) => ({
      id: `skill-${s}`,
      name: `Skill ${s}`,
      description: 'A skill',
      tags: Array.from({ length: 32 }, (_, t) => `tag-${s}-${t}`),
    }));
    await unchangedBy(async () => {
      const body = await expectError(await sendJson(`${ctx.base}/agents`, 'POST', { agent_card: cardV1({ skills }) }), 400, 'invalid_agent_card');
      expect(body.error.violations).toHaveLength(1);
      expect(body.error.violations?.[0]?.path).toBe('$.agent_card');
      expect(body.error.violations?.[0]?.message).toMatch(/^yields \d+ index terms .*at most 1024/);
    });
  });

  it('a card at the limits registers', async () => {
    const card = cardV1({
      name: 'At The Limits',
      skills: [{ id: 'full', name: 'Full', description: 'Full', tags: Array.from({ length: 32 }, (_, i) => `tag${i}`), inputModes: Array.from({ length: 32 }, (_, i) => `m/${i}`) }],
    });
    const res = await sendJson(`${ctx.base}/agents/at-the-limits`, 'PUT', { agent_card: card });
    expect(res.status).toBe(201);
    expect((await fetch(`${ctx.base}/agents/at-the-limits`, { method: 'DELETE' })).status).toBe(200);
  });

  it('an invalid card PUT over an existing agent answers 400 and keeps the stored card', async () => {
    await unchangedBy(async () => {
      const res = await sendJson(`${ctx.base}/agents/kept-id`, 'PUT', { agent_card: cardV03({ url: 'relative/path', skills: 'none' }) });
      const body = await expectError(res, 400, 'invalid_agent_card');
      expect((body.error.violations ?? []).map((v) => v.path).sort()).toEqual(['$.agent_card.skills', '$.agent_card.url']);
    });
  });

  it.each([
    ['null', null],
    ['a string', 'a card'],
    ['a number', 42],
    ['an array', [cardV1()]],
  ])('an agent_card that is %s answers 400 naming $.agent_card', async (_label, value) => {
    await unchangedBy(async () => {
      const res = await sendJson(`${ctx.base}/agents`, 'POST', { agent_card: value });
      expect(res.status).toBe(400);
      const body = (await res.json()) as ErrorBody;
      expect(body.detail).toBe(body.error.message);
      expect(body.error.violations?.map((v) => v.path)).toEqual(['$.agent_card']);
    });
  });

  it.each([
    ['a top-level array', JSON.stringify([cardV1({ name: 'Array Agent' })])],
    ['a top-level string', JSON.stringify('{"name":"String Agent"}')],
    ['a top-level number', '12'],
    ['top-level null', 'null'],
  ])('%s posted to /agents answers 400', async (_label, text) => {
    await unchangedBy(async () => {
      const res = await sendJson(`${ctx.base}/agents`, 'POST', text);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const body = (await res.json()) as ErrorBody;
      expect(['invalid_json', 'invalid_agent_card', 'validation_failed']).toContain(body.error.code);
      expect(body.detail).toBe(body.error.message);
    });
  });

  it.each([
    ['POST', '/agents'],
    ['PUT', '/agents/kept-id'],
    ['POST', '/agents/search'],
    ['POST', '/jsonrpc'],
  ])('text/plain to %s %s answers 415', async (method, path) => {
    await unchangedBy(async () => {
      const res = await fetch(`${ctx.base}${path}`, {
        method,
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ agent_card: cardV1({ name: 'Plain Agent' }) }),
      });
      await expectError(res, 415, 'unsupported_media_type');
    });
  });

  it.each([
    ['POST', '/agents'],
    ['PUT', '/agents/kept-id'],
    ['POST', '/agents/search'],
    ['POST', '/jsonrpc'],
  ])('no content type to %s %s answers 415', async (method, path) => {
    await unchangedBy(async () => {
      const res = await fetch(`${ctx.base}${path}`, { method, body: utf8(JSON.stringify({ agent_card: cardV1({ name: 'Untyped Agent' }) })) });
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      await expectError(res, 415, 'unsupported_media_type');
    });
  });

  it('a form-encoded body answers 415', async () => {
    await unchangedBy(async () => {
      const res = await fetch(`${ctx.base}/agents`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'agent_card=x',
      });
      await expectError(res, 415, 'unsupported_media_type');
    });
  });

  /** `n` nested arrays: JSON text of depth `n`. */
  const nested = (n: number) => '['.repeat(n) + ']'.repeat(n);

  it('a body nested deeper than JSON_MAX_DEPTH (64) answers 400 json_too_deep', async () => {
    const card = JSON.stringify(cardV1({ name: 'Deep Agent' })).replace(/}$/, `,"x-deep":${nested(63)}}`);
    await unchangedBy(async () => {
      const res = await sendJson(`${ctx.base}/agents`, 'POST', `{"agent_card":${card}}`);
      await expectError(res, 400, 'json_too_deep');
    });
  });

  it.each([
    ['POST', '/agents/search', (deep: string) => `{"query": "x", "extra": ${deep}}`],
    ['POST', '/jsonrpc', (deep: string) => `{"jsonrpc":"2.0","id":1,"method":"list_agents","params":{"x":${deep}}}`],
  ])('a body nested 5000 deep to %s %s answers 400 json_too_deep', async (method, path, body) => {
    await unchangedBy(async () => {
      const res = await sendJson(`${ctx.base}${path}`, method, body(nested(5000)));
      await expectError(res, 400, 'json_too_deep');
    });
  });

  it('a body nested exactly JSON_MAX_DEPTH (64) deep is accepted', async () => {
    const card = JSON.stringify(cardV1({ name: 'Just Deep Enough' })).replace(/}$/, `,"x-deep":${nested(62)}}`);
    const res = await sendJson(`${ctx.base}/agents`, 'POST', `{"agent_card":${card}}`);
    expect(res.status).toBe(201);
    expect(await (await fetch(`${ctx.base}/agents/just-deep-enough/card`)).text()).toBe(card);
    expect((await fetch(`${ctx.base}/agents/just-deep-enough`, { method: 'DELETE' })).status).toBe(200);
  });

  it.each([
    ['GET', '/nope'],
    ['POST', '/agents/weather-agent/card'],
    ['DELETE', '/agents'],
    ['GET', '/agents/weather-agent/card/extra'],
    ['PATCH', '/agents/weather-agent/card'],
  ])('%s %s answers 404 route_not_found', async (method, path) => {
    await unchangedBy(async () => {
      const res = await fetch(`${ctx.base}${path}`, { method });
      await expectError(res, 404, 'route_not_found');
    });
  });

  it('GET of an unknown agent answers 404 agent_not_found', async () => {
    await unchangedBy(async () => {
      await expectError(await fetch(`${ctx.base}/agents/no-such-agent`), 404, 'agent_not_found');
    });
  });

  it('an If-Match that names no entity tag answers 400', async () => {
    await unchangedBy(async () => {
      const res = await sendJson(`${ctx.base}/agents/kept-id`, 'PUT', { agent_card: cardV03({ version: '7' }) }, { 'if-match': 'yesterday' });
      const body = await expectError(res, 400, 'validation_failed');
      expect(body.error.violations?.map((v) => v.path)).toEqual(['header:If-Match']);
    });
  });

  it.each([
    ['GET', '/agents/%E0%A4%A'],
    ['GET', '/agents/%ZZ/card'],
    ['GET', '/agents/%ZZ/extensions'],
    ['GET', '/extensions/urn%ZZ'],
    ['DELETE', '/agents/%'],
    ['PUT', '/agents/bad%C0id'],
    ['GET', '/domains/%E0%A4%A'],
    ['POST', '/domains/%ZZ/challenge'],
    ['DELETE', '/domains/%'],
  ])('malformed percent-encoding in the agent id or domain (%s %s) answers 400, not 500', async (method, path) => {
    await unchangedBy(async () => {
      const res = await fetch(`${ctx.base}${path}`, {
        method,
        ...(method === 'PUT' ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ agent_card: cardV1() }) } : {}),
      });
      expect(res.status).toBe(400);
      const body = (await res.json()) as ErrorBody;
      expect(body.detail).toBe(body.error.message);
    });
  });

  it('a gzip Content-Encoding over bytes that are not gzip answers 400, not 500', async () => {
    await unchangedBy(async () => {
      const res = await fetch(`${ctx.base}/agents`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: JSON.stringify({ agent_card: cardV1({ name: 'Gzip Agent' }) }),
      });
      expect(res.status).toBe(400);
      const body = (await res.json()) as ErrorBody;
      expect(body.detail).toBe(body.error.message);
    });
  });

  it('an unknown Content-Encoding answers 415', async () => {
    await unchangedBy(async () => {
      const res = await fetch(`${ctx.base}/agents`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': 'x-unknown' },
        body: JSON.stringify({ agent_card: cardV1({ name: 'Encoded Agent' }) }),
      });
      await expectError(res, 415, 'unsupported_media_type');
    });
  });

  it('a non-UTF-8 charset other than utf-* answers 415', async () => {
    await unchangedBy(async () => {
      const res = await fetch(`${ctx.base}/agents`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=iso-8859-1' },
        body: JSON.stringify({ agent_card: cardV1({ name: 'Latin Agent' }) }),
      });
      await expectError(res, 415, 'unsupported_media_type');
    });
  });

  it('a UTF-16 JSON body is either stored exactly as its decoded text or refused with 415, never a 500', async () => {
    const card = cardV1({ name: 'Utf Sixteen' });
    const res = await fetch(`${ctx.base}/agents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-16le' },
      body: Buffer.from(JSON.stringify({ agent_card: card }), 'utf16le'),
    });
    expect([201, 415]).toContain(res.status);
    if (res.status === 201) {
      expect(await (await fetch(`${ctx.base}/agents/utf-sixteen/card`)).text()).toBe(JSON.stringify(card));
      await fetch(`${ctx.base}/agents/utf-sixteen`, { method: 'DELETE' });
    } else {
      await expectError(res, 415, 'unsupported_media_type');
    }
  });
});

describe('bad input: body size limit', () => {
  const ctx = useRegistry({ BODY_LIMIT: '2kb' });

  it('a body under BODY_LIMIT is accepted', async () => {
    const res = await sendJson(`${ctx.base}/agents`, 'POST', { agent_card: cardV1({ name: 'Small Agent' }) });
    expect(res.status).toBe(201);
  });

  it.each([
    ['POST', '/agents'],
    ['PUT', '/agents/small-agent'],
    ['POST', '/agents/search'],
    ['POST', '/jsonrpc'],
  ])('a body over BODY_LIMIT to %s %s answers 413 and changes nothing', async (method, path) => {
    const before = await snapshot(ctx.redis, ctx.prefix);
    const body = { agent_card: cardV1({ name: 'Small Agent', description: 'x'.repeat(3000) }) };
    expect(JSON.stringify(body).length).toBeGreaterThan(2048);
    const res = await sendJson(`${ctx.base}${path}`, method, body);
    await expectError(res, 413, 'payload_too_large');
    expect(await snapshot(ctx.redis, ctx.prefix)).toStrictEqual(before);
    expect(JSON.parse(await (await fetch(`${ctx.base}/agents/small-agent/card`)).text()).description).toBe(cardV1().description);
  });
});

/* ------------------------------------------------------------------------------------------ */
/* A seeded generator of malformed input.                                                     */
/* ------------------------------------------------------------------------------------------ */

class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** mulberry32: a float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
}

const WEIRD_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\u0000\u0001\u001f',
  '\u202eevil',
  'zero\u200bwidth',
  '🦄🚀 emoji',
  '👨‍👩‍👧‍👦',
  '\ud800',
  '\udfff\ud800',
  'e\u0301\u0301\u0301',
  'Ω≈ç√∫˜µ≤≥÷',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  'ﷺ',
  '\n\t\r\u2028\u2029',
  '"quotes" \\ backslash',
  '</script><script>alert(1)</script>',
  "'; DROP TABLE agents; --",
  '*',
  '?*[]\\',
  '{hash}',
  '%00%ZZ%',
  '../../etc/passwd',
  'search',
  'register-url',
  '-',
  'a:b:c',
  'https://',
  'http://[::1',
  'JSONRPC',
  'text/plain',
  '1e309',
  'NaN',
  'true',
  'null',
];

function randomString(r: Random): string {
  switch (r.int(6)) {
    case 0:
      return r.pick(WEIRD_STRINGS);
    case 1:
      return r.pick(['x', 'ab', 'Weather Agent', 'forecast']).repeat(1 + r.int(3));
    case 2:
      return 'h'.repeat(r.pick([300, 5_000, 70_000, 200_000]));
    case 3:
      return Array.from({ length: 1 + r.int(20) }, () => String.fromCodePoint(r.int(0x2ffff))).join('');
    case 4:
      return `${r.pick(WEIRD_STRINGS)} ${r.pick(['storm', 'weather', 'alerts'])} ${r.pick(WEIRD_STRINGS)}`;
    default:
      return String(r.int(1_000_000));
  }
}

/** Any junk value as text: one whose `__proto__` was set to null has no toString. */
function textOf(value: unknown): string {
  try {
    return String(value);
  } catch {
    return JSON.stringify(value) ?? '';
  }
}

function junk(r: Random, depth = 0): unknown {
  const kinds = depth > 6 ? 6 : 8;
  switch (r.int(kinds)) {
    case 0:
      return null;
    case 1:
      return r.chance(0.5);
    case 2:
      return r.pick([0, -1, 1.5, 1e308, -1e-308, 2 ** 53 + 1, 123456789]);
    case 3:
    case 4:
    case 5:
      return randomString(r);
    case 6:
      return Array.from({ length: r.int(4) }, () => junk(r, depth + 1));
    default: {
      const object: Record<string, unknown> = {};
      for (let i = r.int(4); i > 0; i--) object[r.chance(0.7) ? r.pick(['name', 'id', 'url', 'tags', '__proto__', 'constructor', 'agent_card']) : randomString(r).slice(0, 40)] = junk(r, depth + 1);
      return object;
    }
  }
}

type Path = (string | number)[];

function pathsOf(value: unknown, path: Path = [], out: Path[] = []): Path[] {
  out.push(path);
  if (Array.isArray(value)) value.forEach((item, i) => pathsOf(item, [...path, i], out));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) pathsOf(v, [...path, k], out);
  return out;
}

function parentOf(root: unknown, path: Path): [Record<string | number, unknown>, string | number] | undefined {
  if (path.length === 0) return undefined;
  let node = root as Record<string | number, unknown>;
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
  return [node, path[path.length - 1] as string | number];
}

/** A card with one to four random mutations: fields dropped, retyped, nulled, bloated or replaced by junk. */
function mutatedCard(r: Random): unknown {
  let card: unknown = structuredClone(r.pick([cardV1, cardV03, legacyCard])({ name: `Fuzz ${randomString(r).slice(0, 30)}` }));
  for (let n = 1 + r.int(4); n > 0; n--) {
    const path = r.pick(pathsOf(card));
    const target = parentOf(card, path);
    if (!target) {
      if (r.chance(0.2)) card = junk(r);
      continue;
    }
    const [parent, key] = target;
    switch (r.int(6)) {
      case 0:
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else delete parent[key];
        break;
      case 1:
        parent[key] = null;
        break;
      case 2:
        parent[key] = randomString(r);
        break;
      case 3:
        parent[key] = r.pick([42, true, [], {}, [null], { nested: { deeper: [1, [2, [3]]] } }]);
        break;
      case 4:
        if (!Array.isArray(parent)) parent[randomString(r).slice(0, 50) || 'empty'] = junk(r);
        break;
      default:
        parent[key] = junk(r);
    }
  }
  return card;
}

/** JSON text, sometimes mangled into invalid JSON or given duplicate keys. */
function bodyText(r: Random, value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  switch (r.int(10)) {
    case 0:
      return text.slice(0, r.int(text.length));
    case 1: {
      const at = r.int(text.length);
      return text.slice(0, at) + r.pick(['"', '{', ']', ',', '\\', '\u0000', 'NaN', '}}']) + text.slice(at);
    }
    case 2:
      return text.replace(/^\{/, `{"agent_card": ${JSON.stringify(junk(r)) ?? 'null'}, `);
    default:
      return text;
  }
}

function randomId(r: Random): string {
  switch (r.int(5)) {
    case 0:
      return r.pick(['fuzz-agent', 'weather-agent', 'a', 'A.b_c~d-9']);
    case 1:
      return encode(randomString(r).slice(0, 300));
    case 2:
      return r.pick(['%', '%ZZ', '%E0%A4%A', 'a%2', '%C0%80', '%00']);
    case 3:
      return 'x'.repeat(r.pick([128, 129, 300]));
    default:
      return encode(r.pick(WEIRD_STRINGS)) || 'empty';
  }
}

const SEARCH_KEYS = ['skill', 'skills', 'tag', 'tags', 'q', 'query', 'limit', 'cursor', 'streaming', 'push_notifications', 'binding', 'provider', 'extension', 'input_mode', 'output_mode', 'pageSize', 'pageToken', 'colour'];

function searchParams(r: Random): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (let i = r.int(4); i >= 0; i--) {
    const key = r.pick(SEARCH_KEYS);
    params[key] = r.chance(0.3) ? r.pick(['1', '10', 'true', 'false', 'storm', ['a', 'b'], 5, true]) : junk(r);
  }
  return params;
}

function queryString(r: Random): string {
  const parts: string[] = [];
  for (let i = r.int(5); i >= 0; i--) {
    const key = r.chance(0.9) ? r.pick(SEARCH_KEYS) : randomString(r).slice(0, 20);
    const value = r.chance(0.2) ? r.pick(['%', '%ZZ', '&&==', '%E0%A4%A', '']) : encode(textOf(junk(r)).slice(0, 2_000));
    parts.push(`${encode(key)}=${value}`);
  }
  return parts.join('&');
}

const RPC_METHODS = [
  'register_agent',
  'get_agent',
  'list_agents',
  'search_agents',
  'unregister_agent',
  'RegisterAgentCard',
  'GetAgentCard',
  'ListAgentCards',
  'SearchAgentCards',
  'DeleteAgentCard',
  'get_agent_card',
  'health_check',
  'list_methods',
  // verify_domain is left out: it would fetch from whatever domain the stream names.
  'request_domain_challenge',
  'get_domain',
  'GetDomainClaim',
  'remove_domain',
  'list_catalogs',
  'get_catalog',
  'stop_catalog',
  'StopCatalogSync',
  'system.listMethods',
  'list_extensions',
  'get_extension_info',
  'get_agent_extensions',
  'set_extension_trust',
  'get_vector_stats',
  'no_such_method',
];

function rpcCall(r: Random): unknown {
  const params = r.pick([
    () => ({ agent_card: mutatedCard(r) }),
    () => ({ agentCard: mutatedCard(r), agentId: r.pick(['fuzz-rpc', 'a b', 'x'.repeat(201)]) }),
    () => ({ agent_id: junk(r) }),
    () => ({ agentId: r.pick(['weather-agent', 'fuzz-agent', '']), expected_revision: junk(r) }),
    () => searchParams(r),
    () => ({ domain: r.chance(0.5) ? junk(r) : r.pick(['example.com', 'EXAMPLE.com.', '10.0.0.1', 'a..b', 'x'.repeat(300)]) }),
    () => ({ uri: junk(r), trust_level: junk(r), page_size: junk(r), trust_levels: junk(r), declaring_agents: junk(r) }),
    () => ({ key: r.chance(0.5) ? junk(r) : r.pick(['AAAAAAAAAAAAAAAAAAAAAA', 'short', 'x'.repeat(300)]), limit: junk(r), cursor: junk(r), delete_agents: junk(r) }),
    () => [mutatedCard(r)],
    () => junk(r),
    () => undefined,
  ])();
  const call: Record<string, unknown> = { jsonrpc: r.pick(['2.0', '2.0', '2.0', '2.0', '1.0', 2, null]), method: r.chance(0.9) ? r.pick(RPC_METHODS) : junk(r) };
  if (params !== undefined) call.params = params;
  if (r.chance(0.85)) call.id = r.pick([1, 'abc', null, 2.5, {}, [], true]);
  return call;
}

interface FuzzRequest {
  method: string;
  path: string;
  body?: string;
  headers: Record<string, string>;
}

function fuzzRequest(r: Random): FuzzRequest {
  const contentType = r.chance(0.9)
    ? 'application/json'
    : r.pick(['application/json; charset=utf-8', 'application/vnd.a2a+json', 'APPLICATION/JSON', 'application/json; charset=iso-8859-1', 'text/json']);
  const headers: Record<string, string> = { 'content-type': contentType };
  if (r.chance(0.1)) headers['if-match'] = r.pick(['*', '"1"', 'W/"2"', 'garbage', '"999999999999999999"', '']);
  if (r.chance(0.05)) headers['if-none-match'] = r.pick(['*', '"1"', 'x']);
  switch (r.int(5)) {
    case 0: {
      const card = mutatedCard(r);
      return { method: 'POST', path: '/agents', headers, body: bodyText(r, r.chance(0.8) ? { agent_card: card } : card) };
    }
    case 1:
      return { method: 'PUT', path: `/agents/${randomId(r)}`, headers, body: bodyText(r, { agent_card: mutatedCard(r) }) };
    case 2:
      return { method: 'POST', path: '/agents/search', headers, body: bodyText(r, r.chance(0.9) ? searchParams(r) : junk(r)) };
    case 3:
      return { method: 'GET', path: `/agents?${queryString(r)}`, headers: {} };
    default: {
      const payload = r.chance(0.25) ? Array.from({ length: r.int(5) }, () => rpcCall(r)) : rpcCall(r);
      return { method: 'POST', path: '/jsonrpc', headers, body: bodyText(r, payload) };
    }
  }
}

describe('bad input: a seeded stream of malformed requests', () => {
  const ctx = useRegistry();
  const SEED = 20240607;
  const ROUNDS = 300;

  beforeAll(async () => {
    expect((await sendJson(`${ctx.base}/agents`, 'POST', { agent_card: cardV1() })).status).toBe(201);
  });

  it(`${ROUNDS} mutated requests (seed ${SEED}) never get a 5xx or an internal error, and refused writes change nothing`, { timeout: 120_000 }, async () => {
    const r = new Random(SEED);
    const problems: string[] = [];
    const counts: Record<string, number> = {};
    for (let round = 0; round < ROUNDS; round++) {
      const request = fuzzRequest(r);
      const revisionBefore = await ctx.redis.get(`${ctx.prefix}revision`);
      const label = `#${round} ${request.method} ${request.path.slice(0, 120)} body=${(request.body ?? '').slice(0, 160)}`;
      let res: Response;
      try {
        res = await fetch(`${ctx.base}${request.path}`, {
          method: request.method,
          headers: request.headers,
          ...(request.body !== undefined ? { body: request.body } : {}),
        });
      } catch (error) {
        problems.push(`${label} -> request failed: ${(error as Error).message}`);
        continue;
      }
      const text = await res.text();
      counts[res.status] = (counts[res.status] ?? 0) + 1;
      if (res.status >= 500) {
        problems.push(`${label} -> ${res.status} ${text.slice(0, 200)}`);
        continue;
      }
      if (request.path === '/jsonrpc' && res.status === 200) {
        let answers: { error?: { code: number } }[] | undefined;
        try {
          answers = ([] as { error?: { code: number } }[]).concat(JSON.parse(text));
        } catch {
          problems.push(`${label} -> JSON-RPC 200 whose body is not JSON: ${text.slice(0, 200)}`);
        }
        if (answers?.some((a) => a.error?.code === -32603)) problems.push(`${label} -> JSON-RPC internal error ${text.slice(0, 200)}`);
      }
      if (res.status >= 400) {
        let body: Partial<ErrorBody> | undefined;
        try {
          body = JSON.parse(text) as Partial<ErrorBody>;
        } catch {
          body = undefined;
        }
        if (!body?.error || typeof body.error.code !== 'string' || typeof body.error.message !== 'string' || body.detail !== body.error.message) {
          problems.push(`${label} -> ${res.status} without the JSON error shape: ${text.slice(0, 200)}`);
        }
        const revisionAfter = await ctx.redis.get(`${ctx.prefix}revision`);
        if (revisionAfter !== revisionBefore) problems.push(`${label} -> ${res.status} but a write happened (revision ${revisionBefore} -> ${revisionAfter})`);
      }
    }
    expect(problems).toEqual([]);
    // The stream exercised both refusals and successful writes.
    expect(Object.keys(counts).some((status) => status.startsWith('4'))).toBe(true);
    expect(Object.keys(counts).some((status) => status.startsWith('2'))).toBe(true);
  });

  it('the server still answers /health after the stream', async () => {
    const res = await fetch(`${ctx.base}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'healthy' });
  });
});
