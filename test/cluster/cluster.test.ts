import { randomUUID } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardV1 } from '../helpers/cards.js';
import { killLeftoverProcesses, startRegistryProcess, waitFor, type LogEntry, type RegistryProcess } from '../helpers/processes.js';
import { connect, deleteKeys, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { openSse } from '../helpers/sse.js';
import { TcpRelay } from '../helpers/tcp-relay.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Body = Record<string, any>;

/** Every poll of this file: every 100 ms, up to this long, for things that take milliseconds. */
const SOON_MS = 3000;
/** Polls that wait for the worker: TTL 2 s, sweeps every 1 s, grace 2 s, plus a stalled job's 5 s lock. */
const SWEEP_BOUND_MS = 15_000;

const WORKER_ENV = { SWEEP_INTERVAL_SECONDS: '1', HEARTBEAT_GRACE_SECONDS: '2' };

/** A fresh agent id for one test. */
const newId = (what: string) => `${what}-${randomUUID().slice(0, 8)}`;

async function call(proc: RegistryProcess, method: string, path: string, body?: unknown): Promise<{ status: number; body: Body }> {
  const res = await fetch(`${proc.baseUrl}${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Body) : {} };
}

const read = (proc: RegistryProcess, id: string, query = '') => call(proc, 'GET', `/agents/${id}${query}`);

/** PUT /agents/{id}: creates (201) or updates (200) the agent; returns its new revision. */
async function put(proc: RegistryProcess, id: string, description: string): Promise<number> {
  const { status, body } = await call(proc, 'PUT', `/agents/${id}`, { agent_card: cardV1({ name: id, description }) });
  if (status !== 200 && status !== 201) throw new Error(`PUT ${id}: ${status} ${JSON.stringify(body)}`);
  return body.revision as number;
}

/** The unlabelled series of a process's `/metrics` (counters, gauges, histogram `_sum`/`_count`). */
async function metrics(proc: RegistryProcess): Promise<Map<string, number>> {
  const res = await fetch(`${proc.baseUrl}/metrics`);
  expect(res.status).toBe(200);
  const series = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*) (\S+)$/.exec(line);
    if (match) series.set(match[1] as string, Number(match[2]));
  }
  return series;
}

const metric = (series: Map<string, number>, name: string): number => {
  const value = series.get(name);
  if (value === undefined) throw new Error(`no series ${name} in /metrics`);
  return value;
};

/** Reads `id` on `proc` twice and checks the second read was a hit of its replica cache. */
async function cacheOn(proc: RegistryProcess, id: string, revision: number): Promise<void> {
  expect((await read(proc, id)).body.revision).toBe(revision);
  const before = metric(await metrics(proc), 'a2a_cache_hits_total');
  expect((await read(proc, id)).body.revision).toBe(revision);
  expect(metric(await metrics(proc), 'a2a_cache_hits_total')).toBe(before + 1);
}

/** The invalidation subscriber connection of `proc`, as Redis lists it (`CLIENT SETNAME a2a-invalidations-<pid>`). */
async function subscriberOf(redis: ReturnType<typeof connect>, proc: RegistryProcess): Promise<{ id: string; port: number } | undefined> {
  const list = (await redis.client('LIST')) as string;
  const line = list.split('\n').find((l) => l.includes(` name=a2a-invalidations-${proc.pid} `));
  if (!line) return undefined;
  const id = /(?:^| )id=(\d+)/.exec(line)?.[1];
  const port = /(?:^| )addr=[^ ]*:(\d+)/.exec(line)?.[1];
  if (!id || !port) throw new Error(`unexpected CLIENT LIST line: ${line}`);
  return { id, port: Number(port) };
}

const sweepsOf = (proc: RegistryProcess, since: number) =>
  proc.logs().filter((e): e is LogEntry & { jobId: string; startedAt: number; finishedAt: number } => e.msg === 'sweep finished' && (e.startedAt as number) >= since);

/** Whether a new TCP connection to `port` is refused. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

describe('a cluster of registry processes on one Redis: 3 API replicas and a worker', () => {
  const prefix = uniquePrefix();
  const redis = connect();
  let relay: TcpRelay;
  let a: RegistryProcess;
  let b: RegistryProcess;
  let c: RegistryProcess;
  let worker: RegistryProcess;
  let secondWorker: RegistryProcess | undefined;
  const others: RegistryProcess[] = [];

  beforeAll(async () => {
    // Replica B reaches Redis through a relay, so tests can delay or hold back its invalidation feed.
    relay = await TcpRelay.start(redisUrl());
    const start = (role: 'api' | 'worker', url: string, env: Record<string, string> = {}) =>
      startRegistryProcess({ role, redisUrl: url, redisPrefix: prefix, env });
    [a, b, c, worker] = await Promise.all([
      start('api', redisUrl()),
      start('api', relay.url),
      start('api', redisUrl()),
      start('worker', redisUrl(), WORKER_ENV),
    ]);
  });

  afterAll(async () => {
    // The invalidation lag each API replica measured over the whole file, for the record.
    for (const [label, proc] of [['A', a], ['B', b], ['C', c]] as const) {
      if (!proc || proc.hasExited()) continue;
      const text = await fetch(`${proc.baseUrl}/metrics`).then((res) => res.text(), () => '');
      const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}".]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
      const count = value('a2a_cache_invalidation_lag_seconds_count');
      const mean = (value('a2a_cache_invalidation_lag_seconds_sum') / count) * 1000;
      const within = (le: string) => value(`a2a_cache_invalidation_lag_seconds_bucket{le="${le}"}`);
      console.info(
        `replica ${label}: ${count} invalidations, mean lag ${mean.toFixed(2)} ms, ` +
          `${within('0.0025')} within 2.5 ms, ${within('0.005')} within 5 ms, ${within('0.01')} within 10 ms, ${within('0.1')} within 100 ms`,
      );
    }
    const all = [a, b, c, worker, secondWorker, ...others].filter((p): p is RegistryProcess => p !== undefined);
    await Promise.all(all.map((p) => p.stop('SIGTERM')));
    await killLeftoverProcesses();
    await relay?.close();
    // The registry's keys, and with them the BullMQ keys of its sweep queue, which live under `${prefix}bull`.
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('an update on replica A is seen by replicas B and C that had cached the old record, within a small invalidation lag', async () => {
    const id = newId('shared');
    const first = await put(a, id, 'first version');
    await cacheOn(b, id, first);
    await cacheOn(c, id, first);
    const lagBefore = await metrics(b);

    const second = await put(a, id, 'second version');
    expect(second).toBeGreaterThan(first);
    for (const replica of [b, c]) {
      const seen = await waitFor(`replica sees revision ${second}`, SOON_MS, async () => {
        const { body } = await read(replica, id);
        return body.revision === second && body;
      });
      expect(seen.agent_card.description).toBe('second version');
    }

    const lagAfter = await metrics(b);
    const count = metric(lagAfter, 'a2a_cache_invalidation_lag_seconds_count') - metric(lagBefore, 'a2a_cache_invalidation_lag_seconds_count');
    const sum = metric(lagAfter, 'a2a_cache_invalidation_lag_seconds_sum') - metric(lagBefore, 'a2a_cache_invalidation_lag_seconds_sum');
    expect(count).toBeGreaterThanOrEqual(1);
    expect(sum / count).toBeLessThan(0.5);
  });

  it('a delete on one replica gives 404 on the replicas that had cached the agent', async () => {
    const id = newId('deleted');
    const revision = await put(a, id, 'to be deleted');
    await cacheOn(a, id, revision);
    await cacheOn(b, id, revision);

    expect((await call(c, 'DELETE', `/agents/${id}`)).status).toBe(200);
    expect((await read(c, id)).status).toBe(404);
    for (const replica of [a, b]) {
      await waitFor('replica answers 404', SOON_MS, async () => (await read(replica, id)).status === 404);
    }
  });

  it('a lifecycle change on one replica reaches the replicas that had cached the agent', async () => {
    const id = newId('lifecycle');
    const revision = await put(a, id, 'to be deprecated');
    await cacheOn(a, id, revision);
    await cacheOn(b, id, revision);

    const changed = await call(c, 'PATCH', `/agents/${id}`, { status: 'deprecated', status_message: 'use another' });
    expect(changed.status).toBe(200);
    for (const replica of [a, b]) {
      const seen = await waitFor('replica sees the lifecycle change', SOON_MS, async () => {
        const { body } = await read(replica, id);
        return body.revision === changed.body.revision && body;
      });
      expect(seen).toMatchObject({ lifecycle_status: 'deprecated', status_message: 'use another' });
    }
  });

  it('a page of agents replica B served shows an update made on replica A, and no longer the agent once A deleted it', async () => {
    const id = newId('paged');
    const first = await put(a, id, 'first page version');
    // A search by the agent's own name: the page shows it alone.
    const pageOn = async (replica: RegistryProcess) => (await call(replica, 'GET', `/agents?q=${id}`)).body;
    const hits: number[] = [];
    for (let served = 0; served < 2; served++) {
      const page = await pageOn(b);
      expect(page.results.map((r: Body) => r.revision)).toEqual([first]);
      expect(page.agents[0].description).toBe('first page version');
      hits.push(metric(await metrics(b), 'a2a_page_cache_hits_total'));
    }
    // Served the second time from the JSON B kept.
    expect(hits[1]).toBe((hits[0] as number) + 1);

    const second = await put(a, id, 'second page version');
    const seen = await waitFor(`B's page shows revision ${second}`, SOON_MS, async () => {
      const page = await pageOn(b);
      return page.results[0]?.revision === second && page;
    });
    expect(seen.agents[0].description).toBe('second page version');

    expect((await call(a, 'DELETE', `/agents/${id}`)).status).toBe(200);
    await waitFor("B's page no longer shows the agent", SOON_MS, async () => (await pageOn(b)).total === 0);
  });

  describe('min_revision', () => {
    it('a read on B with min_revision=R right after a write on A answered R returns revision R or newer, without polling', async () => {
      const id = newId('ryw');
      const first = await put(a, id, 'first version');
      await cacheOn(b, id, first);
      const second = await put(a, id, 'second version');
      const { status, body } = await read(b, id, `?min_revision=${second}`);
      expect(status).toBe(200);
      expect(body.revision).toBeGreaterThanOrEqual(second);
      expect(body.agent_card.description).toBe('second version');
    });

    it("a read on B with min_revision=R skips B's cached older revision while B's invalidation is still on its way", async () => {
      const id = newId('delayed');
      const first = await put(a, id, 'first version');
      await cacheOn(b, id, first);
      const subscriber = await subscriberOf(redis, b);
      expect(subscriber).toBeDefined();
      // What Redis publishes to B's subscriber is held back in the relay: B's invalidation is late.
      relay.pauseDownstream(subscriber!.port);
      try {
        const second = await put(a, id, 'second version');
        // Without min_revision B answers from its cache: the older revision, as a hit.
        const hitsBefore = metric(await metrics(b), 'a2a_cache_hits_total');
        expect((await read(b, id)).body.revision).toBe(first);
        expect(metric(await metrics(b), 'a2a_cache_hits_total')).toBe(hitsBefore + 1);

        const { status, body } = await read(b, id, `?min_revision=${second}`);
        expect(status).toBe(200);
        expect(body.revision).toBe(second);
        expect(body.agent_card.description).toBe('second version');
        // And that read put the newer record in B's cache.
        expect((await read(b, id)).body.revision).toBe(second);
      } finally {
        relay.resumeDownstream(subscriber!.port);
      }
    });

    it('min_revision beyond any revision written yet answers 412', async () => {
      const id = newId('future');
      const revision = await put(a, id, 'only version');
      await cacheOn(b, id, revision);
      const { status, body } = await read(b, id, `?min_revision=${revision + 1_000_000}`);
      expect(status).toBe(412);
      expect(body.error.code).toBeDefined();
    });
  });

  it("killing replica B's invalidation subscriber (CLIENT KILL) empties and bypasses B's cache until it reconnects; B answers correctly meanwhile", async () => {
    const id = newId('feed');
    const first = await put(a, id, 'first version');
    await cacheOn(b, id, first);
    expect(metric(await metrics(b), 'a2a_cache_entries')).toBeGreaterThanOrEqual(1);

    const subscriber = await subscriberOf(redis, b);
    expect(subscriber).toBeDefined();
    // New connections from B wait in the relay, so B's subscriber stays down until released.
    relay.holdNewConnections();
    try {
      expect(await redis.client('KILL', 'ID', subscriber!.id)).toBe(1);
      await waitFor("B's cache emptied", SOON_MS, async () => metric(await metrics(b), 'a2a_cache_entries') === 0);

      const ready = await call(b, 'GET', '/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.checks).toMatchObject({ invalidations: false, store: true, accepting: true });
      expect(await subscriberOf(redis, b)).toBeUndefined();

      // A write B is never told about: with its cache bypassed B still answers the new revision.
      const second = await put(a, id, 'second version');
      const before = await metrics(b);
      for (let i = 0; i < 3; i++) {
        const { status, body } = await read(b, id);
        expect(status).toBe(200);
        expect(body.revision).toBe(second);
      }
      const after = await metrics(b);
      expect(metric(after, 'a2a_cache_hits_total')).toBe(metric(before, 'a2a_cache_hits_total'));
      expect(metric(after, 'a2a_cache_misses_total')).toBe(metric(before, 'a2a_cache_misses_total') + 3);
      expect(metric(after, 'a2a_cache_entries')).toBe(0);
      // Still down: this test held the feed down for the whole of the reads above.
      expect((await call(b, 'GET', '/ready')).status).toBe(503);
    } finally {
      relay.releaseNewConnections();
    }

    await waitFor('B ready again', SOON_MS, async () => (await call(b, 'GET', '/ready')).status === 200);
    expect(await subscriberOf(redis, b)).toBeDefined();
    const before = await metrics(b);
    const current = (await read(b, id)).body.revision as number;
    expect((await read(b, id)).body.revision).toBe(current);
    expect(metric(await metrics(b), 'a2a_cache_hits_total')).toBe(metric(before, 'a2a_cache_hits_total') + 1);

    // And the feed works again: a write on A reaches B's cache.
    const third = await put(a, id, 'third version');
    await waitFor('B sees the third revision', SOON_MS, async () => (await read(b, id)).body.revision === third);
  });

  it('an agent whose heartbeats stop turns inactive (readable by id, out of search unless include_inactive=true), then is deleted after the grace period; a heartbeat revives an inactive one', async () => {
    const skill = newId('liveness');
    const card = (name: string) =>
      cardV1({ name, skills: [{ id: skill, name: 'Liveness probe', description: 'Answers heartbeats', tags: ['liveness'] }] });
    const registered: string[] = [];
    for (const name of [newId('silent'), newId('revived')]) {
      const { status, body } = await call(a, 'POST', '/agents', { agent_card: card(name), heartbeat_ttl_seconds: 2 });
      expect(status).toBe(201);
      expect(body.status).toBe('active');
      expect(body.heartbeat_ttl_seconds).toBe(2);
      registered.push(body.agent_id as string);
    }
    const [silent, revived] = registered as [string, string];
    const listed = async (query: string) => ((await call(b, 'GET', `/agents?skill=${skill}${query}`)).body.results as Body[]).map((r) => r.agent_id);
    expect((await listed('')).sort()).toEqual([...registered].sort());
    for (const id of registered) await read(b, id);

    // Only the worker sweeps: the API replicas run no scheduler.
    for (const id of registered) {
      await waitFor(`${id} inactive`, SWEEP_BOUND_MS, async () => (await read(b, id)).body.status === 'inactive');
    }
    // The sweep's log line is written after its last batch and reaches us through a pipe, so it may trail the change it reports.
    await waitFor('the worker logs a sweep that expired agents', SOON_MS, async () =>
      worker.logs().some((e) => e.msg === 'sweep finished' && (e.expired as number) >= 1),
    );
    for (const replica of [a, c]) {
      const { status, body } = await read(replica, silent);
      expect(status).toBe(200);
      expect(body.status).toBe('inactive');
    }
    expect(await listed('')).toEqual([]);
    expect((await listed('&include_inactive=true')).sort()).toEqual([...registered].sort());

    const beat = await call(c, 'POST', `/agents/${revived}/heartbeat`);
    expect(beat.status).toBe(200);
    expect(beat.body).toMatchObject({ agent_id: revived, status: 'active', reactivated: true });
    await waitFor(`${revived} active again on B`, SOON_MS, async () => (await read(b, revived)).body.status === 'active');
    expect(await listed('')).toEqual([revived]);

    for (const replica of [b, a, c]) {
      await waitFor(`${silent} deleted`, SWEEP_BOUND_MS, async () => (await read(replica, silent)).status === 404);
    }
    expect(await listed('&include_inactive=true')).not.toContain(silent);
  }, 30_000);

  it('a change stream on replica C tells, in order and once each, the writes made on A and B and the expiry the worker made', async () => {
    const start = (await call(c, 'GET', '/changes')).body.next_cursor as string;
    const stream = await openSse(`${c.baseUrl}/changes/stream?include_card=false`, start);
    try {
      const ids = [newId('streamed'), newId('streamed')];
      const [onA, onB] = ids as [string, string];
      const registered = await call(a, 'POST', '/agents', { agent_card: cardV1({ name: onA }), heartbeat_ttl_seconds: 1 });
      expect(registered.status).toBe(201);
      const updated = await put(b, onB, 'first');
      const again = await put(a, onB, 'second');
      await waitFor(`${onA} inactive`, SWEEP_BOUND_MS, async () => (await read(b, onA)).body.status === 'inactive');
      const deleted = await call(b, 'DELETE', `/agents/${onB}`);
      expect(deleted.status).toBe(200);
      const mine = () => stream.events.map((e) => JSON.parse(e.data) as Body).filter((e) => ids.includes(e.agent_id as string));
      await waitFor('every event on the stream', SOON_MS, async () => mine().length >= 5);
      expect(mine().map((e) => `${e.kind} ${e.agent_id} ${e.revision}`)).toEqual([
        `registered ${onA} ${registered.body.revision}`,
        `registered ${onB} ${updated}`,
        `updated ${onB} ${again}`,
        `expired ${onA} ${(await read(b, onA)).body.revision}`,
        `deleted ${onB} ${(mine()[4] as Body).revision}`,
      ]);
      const cursors = stream.events.map((e) => e.id);
      expect(new Set(cursors).size).toBe(cursors.length);
    } finally {
      stream.close();
    }
  });

  describe('with two workers', () => {
    beforeAll(async () => {
      secondWorker = await startRegistryProcess({ role: 'worker', redisUrl: redisUrl(), redisPrefix: prefix, env: WORKER_ENV });
    });

    it('never run a sweep twice or two sweeps at once', async () => {
      const since = Date.now();
      const sweeps = () => [...sweepsOf(worker, since), ...sweepsOf(secondWorker!, since)];
      await waitFor('5 sweeps', 12_000, () => sweeps().length >= 5);
      const seen = sweeps().sort((x, y) => x.startedAt - y.startedAt);
      const ids = seen.map((s) => s.jobId);
      expect(new Set(ids).size).toBe(ids.length);
      for (let i = 1; i < seen.length; i++) {
        expect(seen[i]!.startedAt, `sweep ${seen[i]!.jobId} started before ${seen[i - 1]!.jobId} finished`).toBeGreaterThanOrEqual(
          seen[i - 1]!.finishedAt,
        );
      }
    });

    it('a worker killed with SIGKILL is replaced by the other without losing expiries', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const { status, body } = await call(a, 'POST', '/agents', { agent_card: cardV1({ name: newId('orphan') }), heartbeat_ttl_seconds: 2 });
        expect(status).toBe(201);
        ids.push(body.agent_id as string);
      }
      const exit = await worker.kill();
      expect(exit.signal).toBe('SIGKILL');
      for (const id of ids) {
        await waitFor(`${id} inactive after the kill`, SWEEP_BOUND_MS, async () => (await read(a, id)).body.status === 'inactive');
      }
    }, 30_000);
  });

  it('SIGTERM during a request lets it complete with 201, refuses new connections, fails readiness, and exits 0', async () => {
    const extra = await startRegistryProcess({ role: 'api', redisUrl: redisUrl(), redisPrefix: prefix });
    others.push(extra);
    const name = newId('slow');
    // A large, valid card: about 400 KB of description.
    const body = Buffer.from(JSON.stringify({ agent_card: cardV1({ name, description: 'forecast '.repeat(45_000) }) }));

    // A kept-alive connection whose next request (/ready) has begun but not ended, so it is in flight when SIGTERM comes.
    const probe = net.connect(extra.port, '127.0.0.1');
    let probeText = '';
    probe.on('data', (chunk: Buffer) => (probeText += chunk.toString()));
    probe.on('error', () => {});
    await new Promise<void>((resolve) => probe.once('connect', () => resolve()));
    probe.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /ready HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    await waitFor('/health answered on the probe connection', SOON_MS, () => /\r\n\r\n\{"status":"healthy"/.test(probeText));

    // The slow request: a kept-alive client sends the headers, then the body in pieces.
    const agent = new http.Agent({ keepAlive: true });
    const request = http.request({
      host: '127.0.0.1',
      port: extra.port,
      method: 'POST',
      path: '/agents',
      agent,
      headers: { 'content-type': 'application/json', 'content-length': body.length, expect: '100-continue' },
    });
    const response = new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Body }>((resolve, reject) => {
      request.once('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) as Body }));
      });
      request.once('error', reject);
    });
    // 100 Continue: the server has the request and is waiting for its body.
    const continued = new Promise<void>((resolve) => request.once('continue', () => resolve()));
    request.flushHeaders();
    await continued;
    const third = Math.floor(body.length / 3);
    request.write(body.subarray(0, third));

    const exitCode = extra.stop('SIGTERM');
    await extra.waitForLog((e) => e.msg === 'Shutting down');
    await waitFor('new connections refused', SOON_MS, () => refused(extra.port));

    // The /ready request in flight on the probe connection ends now: readiness fails once shutdown started.
    const probed = probeText.length;
    probe.write('\r\n');
    await waitFor('/ready answered on the probe connection', SOON_MS, () => /\r\n\r\n\{.*\}$/s.test(probeText.slice(probed)));
    const readyAnswer = probeText.slice(probed);
    expect(readyAnswer).toMatch(/^HTTP\/1\.1 503 /);
    expect(JSON.parse(readyAnswer.slice(readyAnswer.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 'not_ready', checks: { accepting: false } });

    // The slow request still finishes normally.
    for (let offset = third; offset < body.length; offset += third) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      request.write(body.subarray(offset, Math.min(offset + third, body.length)));
    }
    request.end();
    const answered = await response;
    expect(answered.status).toBe(201);
    // The kept-alive client is told the connection ends with this response, so the drain need not wait for it.
    expect(answered.headers.connection).toBe('close');
    expect(answered.body).toMatchObject({ success: true, created: true, agent_id: name });
    expect(await exitCode).toBe(0);
    expect(await refused(extra.port)).toBe(true);
    probe.destroy();
    agent.destroy();
    // The agent written during the shutdown is in Redis for every other replica.
    expect((await read(b, name)).status).toBe(200);
  });
});
