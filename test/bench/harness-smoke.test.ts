import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LATENCY_LOAD_SHARE, SCENARIOS } from '../../bench/scenarios.js';
import { runBenchTool } from '../helpers/bench-tools.js';

/** Options that skip the small cards' and the embedded registry's memory, which the first run covers. */
const NO_MEMORY_EXTRAS = ['--small-card-agents', '0', '--embedded-agents', '0'];

interface Results {
  smallCards: { agents: number; memoryPerAgentBytes: number; cardJsonBytes: number }[];
  embedded: { agents: number; memoryPerAgentBytes: number; cardJsonBytes: number }[];
  isolation: {
    agents: number;
    loadScenario: string;
    load: { requests: number; errors: number };
    probes: { scenario: string; quiet: { requests: number; errors: number }; loaded: { requests: number; errors: number } }[];
  }[];
  slowlogs: { agents: number; scenario: string; thresholdMs: number; entries: number; alone?: { requests: number; redisCpuPerRequestUs: number } }[];
  sizes: { agents: number; memoryPerAgentBytes: number; cardJsonBytes: number }[];
  measurements: {
    scenario: string;
    target: string;
    agents: number;
    mode: 'closed' | 'open' | 'growth';
    offeredRps?: number;
    cpuPerRequestUs?: { server: number; redis?: number };
    requests: number;
    errors: number;
    rps: number;
    p95Ms: number;
  }[];
  checks: { what: string; pass: boolean }[];
  profiles: { file: string; busyMs: number; hottest: { name: string; selfShare: number }[] }[];
}

/** Runs `npm run bench`'s harness, with its own throwaway Redis. */
const runHarness = (args: string[]) => runBenchTool('bench/harness/main.ts', args, { ...process.env, REDIS_URL: '' });

describe('the benchmark harness, in a short smoke run', () => {
  const out = mkdtempSync(join(tmpdir(), 'a2a-bench-smoke-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('drives every scenario against the registry and both baselines, and writes its results', async () => {
    const { code, output } = await runHarness(['--agents', '60', '--embedded-agents', '30,60', '--duration', '0.2', '--warmup', '0.05', '--out', out]);
    expect(code, output).toBe(0);
    expect(output).toContain('| agents | operation | target | req/s |');
    expect(output).toContain('| agents | operation | target | offered req/s | achieved req/s |');
    const files = readdirSync(out).filter((name) => name.endsWith('.json'));
    expect(files).toHaveLength(1);
    const results = JSON.parse(readFileSync(join(out, files[0] as string), 'utf8')) as Results;
    const measured = (scenario: string, target: string, mode: 'closed' | 'open') =>
      results.measurements.find((x) => x.scenario === scenario && x.target === target && x.mode === mode);
    for (const [scenario, { targets }] of Object.entries(SCENARIOS)) {
      for (const target of ['registry', 'express', 'node']) {
        const m = measured(scenario, target, 'closed');
        expect(m, `${scenario} ${target}`).toBeDefined();
        expect(m?.requests).toBeGreaterThan(0);
        expect(m?.errors, `${scenario} ${target} errors`).toBe(0);
      }
      const express = measured(scenario, 'express', 'closed');
      for (const target of ['registry', 'express']) {
        const open = measured(scenario, target, 'open');
        if (targets.maxP95Ms === undefined) {
          expect(open, `${scenario} ${target} has no p95 target, so no open-model run`).toBeUndefined();
          continue;
        }
        expect(open, `${scenario} ${target} open`).toBeDefined();
        expect(open?.requests).toBeGreaterThan(0);
        expect(open?.errors, `${scenario} ${target} open errors`).toBe(0);
        expect(open?.offeredRps).toBeCloseTo(LATENCY_LOAD_SHARE * (express?.rps ?? Number.NaN), 6);
      }
      if (targets.maxP95Ms !== undefined) {
        expect(results.checks.some((c) => c.what.startsWith(`${scenario} @ 60: p95 ms at `) && c.what.includes('req/s offered'))).toBe(true);
      }
    }
    // What each closed loop cost its server's processes (and the registry's Redis) a request; Linux's
    // /proc counts in hundredths of a second, so one short round of a cheap server may read nothing.
    expect(output).toContain('| agents | operation | registry | its Redis | registry + Redis | express | node |');
    const closed = results.measurements.filter((m) => m.mode === 'closed');
    for (const m of closed) {
      expect(m.cpuPerRequestUs?.server, `${m.scenario} ${m.target} CPU`).toBeGreaterThanOrEqual(0);
      expect(m.cpuPerRequestUs?.redis === undefined, `${m.scenario} ${m.target}: Redis only for the registry`).toBe(m.target !== 'registry');
    }
    const registryCpu = closed.filter((m) => m.target === 'registry').map((m) => m.cpuPerRequestUs);
    expect(registryCpu.reduce((sum, cpu) => sum + (cpu?.server ?? 0), 0)).toBeGreaterThan(0);
    expect(registryCpu.reduce((sum, cpu) => sum + (cpu?.redis ?? 0), 0)).toBeGreaterThan(0);
    expect(output).toContain('Redis SLOWLOG during each search scenario and registration (commands slower than 5 ms');
    const searches = Object.keys(SCENARIOS).filter((name) => name.startsWith('search'));
    // Registration runs last, after every read scenario.
    expect(results.slowlogs.map((s) => s.scenario)).toEqual([...searches, 'register']);
    expect(results.slowlogs.every((s) => s.agents === 60 && s.thresholdMs === 5 && s.entries >= 0)).toBe(true);
    // Each scenario's requests are sent again one at a time, and what they cost Redis is read.
    expect(results.slowlogs.every((s) => s.alone?.requests === 200 && s.alone.redisCpuPerRequestUs > 0)).toBe(true);
    expect(output).toContain('Isolation (each probe in the open model at 0.3 × Express');
    const [isolation] = results.isolation;
    expect(isolation?.agents).toBe(60);
    expect(searches).toContain(isolation?.loadScenario);
    expect(isolation?.load.requests).toBeGreaterThan(0);
    expect(isolation?.probes.map((p) => p.scenario)).toEqual(['get', 'search-rare-skill']);
    for (const { quiet, loaded } of isolation?.probes ?? []) {
      expect(quiet.requests).toBeGreaterThan(0);
      expect(loaded.requests).toBeGreaterThan(0);
      expect(quiet.errors + loaded.errors + (isolation?.load.errors ?? 0)).toBe(0);
    }
    expect(results.checks.some((c) => c.what.startsWith('isolation @ 60: get beside'))).toBe(true);
    expect(output).toContain('Redis memory per agent with ~650-byte cards');
    const [smallCards] = results.smallCards;
    expect(smallCards?.agents).toBe(60);
    expect(smallCards?.memoryPerAgentBytes).toBeGreaterThan(0);
    expect(smallCards?.cardJsonBytes).toBeGreaterThan(550);
    expect(smallCards?.cardJsonBytes).toBeLessThan(750);
    expect(output).toContain('Embedded registry memory (no REDIS_URL');
    expect(output).toContain('Embedded registry growth (no REDIS_URL');
    expect(results.embedded.map((e) => e.agents)).toEqual([30, 60]);
    expect(results.embedded.every((e) => e.memoryPerAgentBytes > 0 && e.cardJsonBytes > 0)).toBe(true);
    const embeddedTurns = results.measurements.filter((m) => m.target === 'embedded');
    expect(embeddedTurns.map((m) => `${m.scenario} ${m.agents} ${m.mode}`)).toEqual(['list 30 growth', 'list 60 growth', 'search-all 30 growth', 'search-all 60 growth']);
    expect(embeddedTurns.every((m) => m.requests > 0 && m.errors === 0)).toBe(true);
    expect(results.checks.some((c) => c.what === 'embedded registry: search-all: p95 growth 30 -> 60')).toBe(true);
    expect(results.checks.some((c) => c.what.startsWith('memory per agent with '))).toBe(true);
    const [size] = results.sizes;
    expect(size?.agents).toBe(60);
    expect(size?.memoryPerAgentBytes).toBeGreaterThan(0);
    expect(size?.cardJsonBytes).toBeGreaterThan(0);
    expect(results.checks.length).toBeGreaterThan(0);
  }, 120_000);

  it('with two agent counts, measures growth with the registries of both sizes driven in turns', async () => {
    const { code, output } = await runHarness(['--agents', '30,60', '--scenarios', 'get,search,health', ...NO_MEMORY_EXTRAS, '--duration', '0.3', '--warmup', '0.1', '--out', join(out, 'growth')]);
    expect(code, output).toBe(0);
    expect(output).toContain('| agents | operation | req/s | p50 ms | p95 ms | p99 ms | errors |');
    const [file] = readdirSync(join(out, 'growth')).filter((name) => name.endsWith('.json'));
    const results = JSON.parse(readFileSync(join(out, 'growth', file as string), 'utf8')) as Results;
    const growth = results.measurements.filter((m) => m.mode === 'growth');
    expect(growth.map((m) => `${m.scenario} ${m.agents} ${m.target}`).sort()).toEqual(['get 30 registry', 'get 60 registry', 'search 30 registry', 'search 60 registry']);
    for (const m of growth) {
      expect(m.requests).toBeGreaterThan(0);
      expect(m.errors).toBe(0);
    }
    const checked = results.checks.filter((c) => c.what.includes('p95 growth')).map((c) => c.what);
    expect(checked).toEqual(['get: p95 growth 30 -> 60', 'search: p95 growth 30 -> 60']);
  }, 120_000);

  it('with --profile, profiles each replica of the registry per scenario and names its hottest functions', async () => {
    const profiled = join(out, 'profiled');
    const args = ['--agents', '40', '--scenarios', 'get,register', ...NO_MEMORY_EXTRAS, '--replicas', '2', '--duration', '0.3', '--warmup', '0.1', '--profile', '--out', profiled];
    const { code, output } = await runHarness(args);
    expect(code, output).toBe(0);
    expect(output).toContain('| profile | busy s | function (self time) | share |');
    const [resultsFile] = readdirSync(profiled).filter((name) => name.endsWith('.json'));
    const results = JSON.parse(readFileSync(join(profiled, resultsFile as string), 'utf8')) as Results;
    expect(results.measurements.filter((m) => m.target === 'registry' && m.mode === 'closed').every((m) => m.errors === 0 && m.requests > 0)).toBe(true);
    expect(results.profiles.map((p) => p.file.split('/').pop())).toEqual([
      '40-get-1.cpuprofile',
      '40-get-2.cpuprofile',
      '40-register-1.cpuprofile',
      '40-register-2.cpuprofile',
    ]);
    for (const { file, busyMs, hottest } of results.profiles) {
      expect(existsSync(file), file).toBe(true);
      expect(busyMs).toBeGreaterThan(0);
      expect(hottest.length).toBeGreaterThan(0);
      const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: { callFrame: { url: string } }[] };
      // The registry's own code ran under the profiler, not only Node's.
      expect(profile.nodes.some((node) => node.callFrame.url.endsWith('/dist/agents/agent-routes.js')), file).toBe(true);
    }
  }, 120_000);
});
