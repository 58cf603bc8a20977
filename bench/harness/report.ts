import { EMBEDDED_TARGETS, ISOLATION, LATENCY_LOAD_SHARE, SCENARIOS, SLOWLOG_TARGET, SMALL_CARD_MAX_MEMORY_PER_AGENT_BYTES } from '../scenarios.js';
import type { CpuPerRequest } from './cpu-time.js';
import { find, type EmbeddedReport, type IsolationReport, type Measurement, type SizeReport, type SlowlogReport, type Target, type TargetCheck } from './results.js';

export const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

/** The closed-loop operation | req/s | p50 | p95 | p99 | errors | ratio to Express | reference table, in Markdown. */
export function markdownTable(measurements: Measurement[]): string {
  const lines = [
    '| agents | operation | target | req/s | p50 ms | p95 ms | p99 ms | errors | ratio to Express | reference |',
    '| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const m of measurements.filter((x) => x.mode === 'closed')) {
    const express = find(measurements, m.agents, m.scenario, 'express');
    const reference = SCENARIOS[m.scenario].reference;
    lines.push(
      `| ${m.agents} | ${m.scenario} | ${m.target} | ${fmt(m.rps, 0)} | ${fmt(m.p50Ms)} | ${fmt(m.p95Ms)} | ${fmt(m.p99Ms)} | ${m.errors} | ${
        express ? fmt(m.rps / express.rps) : 'n/a'
      } | ${m.target === 'registry' && reference ? `${reference.rps} req/s, p95 ${reference.p95Ms} ms` : ''} |`,
    );
  }
  return lines.join('\n');
}

/**
 * CPU time a request in the closed loop: the registry's processes and its Redis, and each
 * baseline's process, in Markdown; empty when process CPU time could not be read.
 */
export function cpuTable(measurements: Measurement[]): string {
  const registry = measurements.filter((m) => m.mode === 'closed' && m.target === 'registry' && m.cpuPerRequestUs);
  if (registry.length === 0) return '';
  const us = (value: number | undefined) => fmt(value ?? Number.NaN, 0);
  const server = (m: Measurement, target: Target) => find(measurements, m.agents, m.scenario, target)?.cpuPerRequestUs?.server;
  return [
    'CPU time a request in the closed loop, in µs (each process\'s user and system time over its rounds, divided by the requests it answered; ' +
      "Redis's is all its clients' when it is not the harness's own):",
    '',
    '| agents | operation | registry | its Redis | registry + Redis | express | node |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: |',
    ...registry.map((m) => {
      const { server: own, redis = Number.NaN } = m.cpuPerRequestUs as CpuPerRequest;
      return `| ${m.agents} | ${m.scenario} | ${us(own)} | ${us(redis)} | ${us(own + redis)} | ${us(server(m, 'express'))} | ${us(server(m, 'node'))} |`;
    }),
  ].join('\n');
}

/** The open-model measurements: latency at an offered load, in Markdown; empty when there are none. */
export function latencyTable(measurements: Measurement[]): string {
  const open = measurements.filter((m) => m.mode === 'open');
  if (open.length === 0) return '';
  const connections = [...new Set(open.map((m) => SCENARIOS[m.scenario].connections))].join(' or ');
  return [
    `Latency at offered load (open model: requests due at a constant rate of ${LATENCY_LOAD_SHARE} × Express's closed-loop req/s, ` +
      `at most ${connections} in flight, latency from the due time; the p95 targets are judged here):`,
    '',
    '| agents | operation | target | offered req/s | achieved req/s | p50 ms | p95 ms | p99 ms | errors |',
    '| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...open.map(
      (m) =>
        `| ${m.agents} | ${m.scenario} | ${m.target} | ${fmt(m.offeredRps ?? Number.NaN, 0)} | ${fmt(m.rps, 0)} | ${fmt(m.p50Ms)} | ${fmt(m.p95Ms)} | ${fmt(m.p99Ms)} | ${m.errors} |`,
    ),
  ].join('\n');
}

/** Growth measurements of one target (both sizes in turns) under a title, in Markdown; empty when there are none. */
function turnsTable(measurements: Measurement[], target: Target, title: string): string {
  const growth = measurements.filter((m) => m.mode === 'growth' && m.target === target);
  if (growth.length === 0) return '';
  return [
    title,
    '',
    '| agents | operation | req/s | p50 ms | p95 ms | p99 ms | errors |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: |',
    ...growth.map((m) => `| ${m.agents} | ${m.scenario} | ${fmt(m.rps, 0)} | ${fmt(m.p50Ms)} | ${fmt(m.p95Ms)} | ${fmt(m.p99Ms)} | ${m.errors} |`),
  ].join('\n');
}

/** The growth measurements of the registry on Redis, in Markdown; empty when there are none. */
export function growthTable(measurements: Measurement[]): string {
  return turnsTable(
    measurements,
    'registry',
    'Growth (closed loop against the registry at the smallest and the largest agent count in turns, after every size was measured; the growth targets are judged here):',
  );
}

/** The embedded registry's list pages and broadest search at its smallest and largest count, in Markdown; empty when not measured. */
export function embeddedGrowthTable(measurements: Measurement[]): string {
  return turnsTable(
    measurements,
    'embedded',
    `Embedded registry growth (no REDIS_URL; closed loop against its smallest and largest catalogue in turns; the p95 may grow at most ${EMBEDDED_TARGETS.maxGrowthP95}×):`,
  );
}

/** Redis memory per agent with the ~650-byte cards, in Markdown; empty when not measured. */
export function smallCardsTable(smallCards: SizeReport[]): string {
  if (smallCards.length === 0) return '';
  return [
    `Redis memory per agent with ~650-byte cards (seeded through the store under a prefix of their own beside the largest count, then deleted; at most ${SMALL_CARD_MAX_MEMORY_PER_AGENT_BYTES} B):`,
    '',
    memoryTable(smallCards),
  ].join('\n');
}

/** The embedded registry's memory per agent at each of its counts, in Markdown; empty when not measured. */
export function embeddedTable(embedded: EmbeddedReport[]): string {
  if (embedded.length === 0) return '';
  const mb = (bytes: number) => fmt(bytes / 2 ** 20, 1);
  return [
    `Embedded registry memory (no REDIS_URL; V8 heap used + external memory after forced full collections, before and after seeding over HTTP; at most ${EMBEDDED_TARGETS.maxMemoryPerAgentRatio}× the card JSON):`,
    '',
    '| agents | before | after | per agent | card JSON size | ratio | seeding |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...embedded.map(
      (e) =>
        `| ${e.agents} | ${mb(e.memoryBeforeBytes)} MiB | ${mb(e.memoryAfterBytes)} MiB | ${fmt(e.memoryPerAgentBytes, 0)} B | ${fmt(e.cardJsonBytes, 0)} B | ${fmt(e.memoryPerAgentBytes / e.cardJsonBytes)} | ${fmt(e.seedSeconds, 1)} s |`,
    ),
  ].join('\n');
}

export function memoryTable(sizes: SizeReport[]): string {
  return [
    '| agents | Redis memory per agent | card JSON size | ratio | seeding |',
    '| ---: | ---: | ---: | ---: | ---: |',
    ...sizes.map(
      (s) =>
        `| ${s.agents} | ${fmt(s.memoryPerAgentBytes, 0)} B | ${fmt(s.cardJsonBytes, 0)} B | ${fmt(s.memoryPerAgentBytes / s.cardJsonBytes)} | ${fmt(s.seedSeconds, 1)} s |`,
    ),
  ].join('\n');
}

/** SLOWLOG after each search scenario and registration, in Markdown; empty when none was read. */
export function slowlogTable(slowlogs: SlowlogReport[]): string {
  if (slowlogs.length === 0) return '';
  const thresholds = [...new Set(slowlogs.map((s) => fmt(s.thresholdMs, 0)))].join(' or ');
  return [
    `Redis SLOWLOG during each search scenario and registration (commands slower than ${thresholds} ms; reset before the scenario, ` +
      `read after it; no search command may be logged from ${SLOWLOG_TARGET.judgedFromAgents} agents; registration's batches ` +
      `of saves are reported, not judged), and again while the scenario's requests ` +
      `were sent one at a time with nothing else running ("alone": SLOWLOG is wall time, so under load it also counts the time ` +
      `Redis waited for a core):`,
    '',
    '| agents | operation | entries | slowest ms | slowest command | alone: requests | alone: Redis CPU µs per request | alone: entries | alone: slowest ms |',
    '| ---: | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |',
    ...slowlogs.map(
      (s) =>
        `| ${s.agents} | ${s.scenario} | ${s.entriesCapped ? '≥ ' : ''}${s.entries} | ${fmt(s.slowestMs)} | ${s.slowestCommand ?? ''} | ${s.alone?.requests ?? ''} | ${
          s.alone ? fmt(s.alone.redisCpuPerRequestUs, 0) : ''
        } | ${s.alone?.entries ?? ''} | ${s.alone ? fmt(s.alone.slowestMs) : ''} |`,
    ),
  ].join('\n');
}

/** The isolation scenario's probes, quiet and beside the expensive searches, in Markdown; empty when it did not run. */
export function isolationTable(reports: IsolationReport[]): string {
  if (reports.length === 0) return '';
  return [
    `Isolation (each probe in the open model at ${LATENCY_LOAD_SHARE} × Express's closed-loop req/s, first alone, then while ` +
      `${ISOLATION.loadConnections} closed-loop connections run the search shape the registry served slowest at that count; ` +
      `the loaded p99 may be at most ${ISOLATION.maxP99RatioToQuiet} × the quiet one, judged at the largest count):`,
    '',
    '| agents | probe | offered req/s | quiet p50 ms | quiet p99 ms | loaded p50 ms | loaded p99 ms | p99 ratio | errors | load | load req/s |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |',
    ...reports.flatMap((r) =>
      r.probes.map(
        (p) =>
          `| ${r.agents} | ${p.scenario} | ${fmt(p.offeredRps, 0)} | ${fmt(p.quiet.p50Ms)} | ${fmt(p.quiet.p99Ms)} | ${fmt(p.loaded.p50Ms)} | ${fmt(p.loaded.p99Ms)} | ` +
          `${fmt(p.loaded.p99Ms / p.quiet.p99Ms)} | ${p.quiet.errors + p.loaded.errors} | ${r.loadScenario} × ${r.loadConnections} | ${fmt(r.load.rps, 0)} |`,
      ),
    ),
  ].join('\n');
}

export function checksTable(checks: TargetCheck[]): string {
  return [
    '| target | measured | limit | verdict |',
    '| --- | ---: | --- | --- |',
    ...checks.map((c) => `| ${c.what} | ${fmt(c.value)} | ${c.limit} | ${c.pass ? 'pass' : 'FAIL'} |`),
  ].join('\n');
}
