import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { retryAfterOf } from '../../src/probes/agent-prober.js';
import { cardDriftOf, MAX_DRIFT_ENTRIES } from '../../src/probes/card-drift.js';
import { ProbeBudget } from '../../src/probes/probe-budget.js';
import { NO_PROBE_EXTENSION, probeTargetOf } from '../../src/probes/probe-target.js';
import { decodeProbe, encodeProbeDetail } from '../../src/store/probe-outcome.js';
import { cardV03, cardV1 } from '../helpers/cards.js';

describe('cardDriftOf', () => {
  it('is null when the served card equals the stored one, whatever the order of skills and keys', () => {
    const card = cardV1({ skills: [{ id: 'a', name: 'A', description: 'a', tags: ['x'] }, { id: 'b', name: 'B', description: 'b', tags: ['y'] }] });
    const reordered = { ...card, skills: [...(card.skills as object[])].reverse() };
    expect(cardDriftOf(card, reordered)).toBeNull();
  });

  it('names top-level fields and skills by id, added, removed and changed', () => {
    const stored = { name: 'A', description: 'old', iconUrl: 'https://a.example/i.png', skills: [{ id: 'keep', v: 1 }, { id: 'gone' }] };
    const served = { name: 'A', description: 'new', documentationUrl: 'https://a.example/docs', skills: [{ id: 'keep', v: 2 }, { id: 'new' }] };
    expect(cardDriftOf(stored, served)).toEqual({
      added: ['documentationUrl', 'skills[new]'],
      removed: ['iconUrl', 'skills[gone]'],
      changed: ['description', 'skills[keep]'],
      truncated: false,
    });
  });

  it(`lists at most ${MAX_DRIFT_ENTRIES} names and says when it left some out`, () => {
    const served = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`field${i}`, i]));
    const drift = cardDriftOf({}, served);
    expect(drift?.added).toHaveLength(MAX_DRIFT_ENTRIES);
    expect(drift?.truncated).toBe(true);
  });
});

describe('retryAfterOf', () => {
  const now = Date.parse('2026-12-06T07:00:00Z');
  it('reads seconds and HTTP dates, capped at a day, and ignores what it cannot read', () => {
    expect(retryAfterOf('120', now)).toBe(120_000);
    expect(retryAfterOf('Sun, 06 Dec 2026 07:01:00 GMT', now)).toBe(60_000);
    expect(retryAfterOf('9999999', now)).toBe(86_400_000);
    expect(retryAfterOf('soon', now)).toBeUndefined();
    expect(retryAfterOf(undefined, now)).toBeUndefined();
  });
});

describe('probeTargetOf', () => {
  it('fetches a card registered by URL from there, another from its preferred interface origin', () => {
    const card = JSON.stringify(cardV1({ supportedInterfaces: [{ url: 'https://api.example.com/a2a/v1', protocolBinding: 'HTTP+JSON', protocolVersion: '1.0' }] }));
    expect(probeTargetOf({ card })).toMatchObject({ kind: 'probe', cardUrl: 'https://api.example.com/.well-known/agent-card.json', preferred: { binding: 'HTTP+JSON' } });
    expect(probeTargetOf({ card, sourceUrl: 'https://cards.example.com/agent.json' })).toMatchObject({ cardUrl: 'https://cards.example.com/agent.json' });
  });

  it('takes the url and preferred transport of a 0.3 card', () => {
    const card = JSON.stringify(cardV03({ url: 'https://old.example.com/rpc', preferredTransport: 'JSONRPC' }));
    expect(probeTargetOf({ card })).toMatchObject({ kind: 'probe', preferred: { url: 'https://old.example.com/rpc', binding: 'JSONRPC' } });
  });

  it('respects the opt-out extension', () => {
    const card = JSON.stringify(cardV1({ capabilities: { extensions: [{ uri: NO_PROBE_EXTENSION }] } }));
    expect(probeTargetOf({ card })).toEqual({ kind: 'opted_out' });
  });
});

describe('the stored probe detail', () => {
  it('reads back what it wrote, and nothing from unreadable values', () => {
    const outcome = {
      result: { status: 'degraded' as const, checkedAt: '2026-12-06T07:00:00.000Z', latencyMs: 12, transport: 'failed' as const, cardDrift: null, error: { code: 'no_protocol_reply', message: 'x' } },
      failures: 0,
    };
    expect(decodeProbe('degraded', encodeProbeDetail(outcome))).toEqual(outcome);
    expect(decodeProbe('degraded', 'not json')).toBeUndefined();
    expect(decodeProbe('sleeping', encodeProbeDetail(outcome))).toBeUndefined();
    expect(decodeProbe(null, null)).toBeUndefined();
  });
});

describe('ProbeBudget', () => {
  it('starts no more than the rate and no more than the origin concurrency at once', async () => {
    const budget = new ProbeBudget({ ratePerSecond: 200, originConcurrency: 2 });
    const starts: number[] = [];
    let inFlight = 0;
    let most = 0;
    const task = (origin: string) => ({
      origin,
      run: async () => {
        starts.push(Date.now());
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 15));
        inFlight--;
      },
      defer: async () => {},
    });
    const started = Date.now();
    await budget.run(Array.from({ length: 20 }, () => task('https://one.example')));
    expect(most).toBe(2);
    // 20 probes at 200 a second take at least 95 ms; two at a time of 15 ms each, at least 150 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(starts).toHaveLength(20);
  });

  it('defers the tasks of an origin that asked to be left alone, without spending the rate', async () => {
    const budget = new ProbeBudget({ ratePerSecond: 1, originConcurrency: 1 });
    budget.deferOrigin('https://busy.example', Date.now() + 60_000);
    const deferred: number[] = [];
    const started = Date.now();
    await budget.run(Array.from({ length: 5 }, () => ({ origin: 'https://busy.example', run: async () => {}, defer: async (until: number) => void deferred.push(until) })));
    expect(deferred).toHaveLength(5);
    expect(Date.now() - started).toBeLessThan(500);
  });
});

describe('PROBE_* configuration', () => {
  it('is off unless PROBE_ENABLED, with the documented budget when on', () => {
    expect(loadConfig({}).probes).toBeUndefined();
    expect(loadConfig({ PROBE_ENABLED: 'true' }).probes).toEqual({ intervalSeconds: 3600, ratePerSecond: 5, originConcurrency: 2, timeoutMs: 5000, maxBackoffSeconds: 86_400 });
  });

  it('refuses values out of range, naming each', () => {
    try {
      loadConfig({ PROBE_ENABLED: 'yes', PROBE_RATE_PER_SECOND: '0', PROBE_ORIGIN_CONCURRENCY: '100', PROBE_TIMEOUT_MS: '10' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const names = (error as ConfigError).problems.map((problem) => problem.split(':')[0]);
      expect(names.sort()).toEqual(['PROBE_ENABLED', 'PROBE_ORIGIN_CONCURRENCY', 'PROBE_RATE_PER_SECOND', 'PROBE_TIMEOUT_MS']);
    }
  });
});

describe('probeTargetOf a gRPC interface with a scheme of its own', () => {
  it('fetches the card over https from its host', () => {
    const card = JSON.stringify(cardV1({ supportedInterfaces: [{ url: 'grpc://rpc.example.com:50051', protocolBinding: 'GRPC', protocolVersion: '1.0' }] }));
    expect(probeTargetOf({ card })).toMatchObject({ kind: 'probe', cardUrl: 'https://rpc.example.com/.well-known/agent-card.json' });
  });
});
