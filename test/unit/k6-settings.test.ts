import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { k6AuthHeaders, k6Thresholds, SCENARIOS, type ScenarioName } from '../../bench/scenarios.js';

const K6_DIR = fileURLToPath(new URL('../../bench/k6/', import.meta.url));

describe('k6 credentials from the environment', () => {
  it('sends none when neither API_KEY nor BEARER_TOKEN is set (a loopback registry with AUTH_MODE=none)', () => {
    expect(k6AuthHeaders({})).toEqual({});
    expect(k6AuthHeaders({ API_KEY: '', BEARER_TOKEN: ' ' })).toEqual({});
  });

  it('sends API_KEY as X-API-Key and BEARER_TOKEN as an Authorization bearer', () => {
    expect(k6AuthHeaders({ API_KEY: 'the-secret-key' })).toEqual({ 'X-API-Key': 'the-secret-key' });
    expect(k6AuthHeaders({ BEARER_TOKEN: 'eyJhbGciOiJFUzI1NiJ9.e30.sig' })).toEqual({ Authorization: 'Bearer eyJhbGciOiJFUzI1NiJ9.e30.sig' });
  });

  it('refuses both at once', () => {
    expect(() => k6AuthHeaders({ API_KEY: 'a', BEARER_TOKEN: 'b' })).toThrow('Set API_KEY or BEARER_TOKEN, not both');
  });

  it('is what every request of every script carries: the scripts send requests only through common.ts, which adds it', () => {
    const common = readFileSync(`${K6_DIR}common.ts`, 'utf8');
    expect(common).toContain('export const AUTH_HEADERS: Record<string, string> = k6AuthHeaders(__ENV);');
    expect([...common.matchAll(/http\.(get|post|batch)\(/g)].length).toBe(3);
    for (const file of readdirSync(K6_DIR).filter((name) => name.endsWith('.ts') && name !== 'common.ts')) {
      expect(readFileSync(`${K6_DIR}${file}`, 'utf8'), file).not.toMatch(/\bhttp\.\w+\(|from 'k6\/http'/);
    }
  });
});

describe('k6 thresholds from the environment', () => {
  it('are the loopback targets when nothing is set', () => {
    expect(k6Thresholds('list')).toEqual({
      checks: ['rate>0.99'],
      http_req_failed: ['rate<0.01'],
      http_req_duration: [`p(95)<${SCENARIOS.list.targets.maxP95Ms}`],
      dropped_iterations: ['count<1'],
    });
    // A closed-loop scenario (no p95 target) judges failures and checks only.
    const closed = (Object.keys(SCENARIOS) as ScenarioName[]).find((name) => SCENARIOS[name].targets.maxP95Ms === undefined);
    expect(closed).toBeDefined();
    expect(k6Thresholds(closed!)).toEqual({ checks: ['rate>0.99'], http_req_failed: ['rate<0.01'] });
    expect(k6Thresholds('list', { P95_MS: '', P99_MS: '' })).toEqual(k6Thresholds('list'));
  });

  it('take P95_MS, P99_MS, MAX_FAILED_RATE and MIN_CHECKS_RATE for a run against a cluster', () => {
    expect(k6Thresholds('list', { P95_MS: '150', P99_MS: '400', MAX_FAILED_RATE: '0.001', MIN_CHECKS_RATE: '0.999' })).toEqual({
      checks: ['rate>0.999'],
      http_req_failed: ['rate<0.001'],
      http_req_duration: ['p(95)<150', 'p(99)<400'],
      dropped_iterations: ['count<1'],
    });
  });

  it('apply P95_MS to a scenario without a p95 target too, without the arrival-rate threshold', () => {
    const closed = (Object.keys(SCENARIOS) as ScenarioName[]).find((name) => SCENARIOS[name].targets.maxP95Ms === undefined)!;
    expect(k6Thresholds(closed, { P95_MS: '80' })).toEqual({ checks: ['rate>0.99'], http_req_failed: ['rate<0.01'], http_req_duration: ['p(95)<80'] });
  });

  it('refuse values that are not numbers in range, naming the setting', () => {
    expect(() => k6Thresholds('list', { P95_MS: '150ms' })).toThrow('P95_MS must be a number above 0 and at most 3600000, got 150ms');
    expect(() => k6Thresholds('list', { P95_MS: '0' })).toThrow('P95_MS');
    expect(() => k6Thresholds('list', { MAX_FAILED_RATE: '5' })).toThrow('MAX_FAILED_RATE must be a number above 0 and at most 1, got 5');
    expect(() => k6Thresholds('list', { MIN_CHECKS_RATE: '-1' })).toThrow('MIN_CHECKS_RATE');
  });
});
