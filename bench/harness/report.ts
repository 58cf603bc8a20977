import { MAX_MEMORY_PER_AGENT_RATIO, SCENARIOS, type ScenarioName } from '../scenarios.js';
import type { DriveResult } from './load-driver.js';

export type Target = 'registry' | 'express' | 'node';

export interface Measurement extends DriveResult {
  agents: number;
  scenario: ScenarioName;
  target: Target;
}

export interface SizeReport {
  agents: number;
  /** Redis `used_memory` growth while seeding, divided by the agents seeded. */
  memoryPerAgentBytes: number;
  /** Mean length of the seeded cards' JSON. */
  cardJsonBytes: number;
  seedSeconds: number;
}

export interface TargetCheck {
  what: string;
  value: number;
  limit: string;
  pass: boolean;
}

const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

function find(measurements: Measurement[], agents: number, scenario: ScenarioName, target: Target) {
  return measurements.find((m) => m.agents === agents && m.scenario === scenario && m.target === target);
}

/** The operation | req/s | p50 | p95 | p99 | errors | ratio to Express | reference table, in Markdown. */
export function markdownTable(measurements: Measurement[]): string {
  const lines = [
    '| agents | operation | target | req/s | p50 ms | p95 ms | p99 ms | errors | ratio to Express | reference |',
    '| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const m of measurements) {
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

/** Every target of bench/scenarios.ts that this run measured, with its verdict. */
export function checkTargets(measurements: Measurement[], sizes: SizeReport[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const counts = sizes.map((s) => s.agents);
  const smallest = Math.min(...counts);
  const largest = Math.max(...counts);
  for (const agents of counts) {
    for (const scenario of Object.keys(SCENARIOS) as ScenarioName[]) {
      const registry = find(measurements, agents, scenario, 'registry');
      const express = find(measurements, agents, scenario, 'express');
      if (!registry) continue;
      const { targets } = SCENARIOS[scenario];
      const at = `${scenario} @ ${agents}`;
      checks.push({ what: `${at}: errors`, value: registry.errors, limit: '= 0', pass: registry.errors === 0 });
      if (targets.minRpsRatioToExpress !== undefined && express) {
        const value = registry.rps / express.rps;
        checks.push({ what: `${at}: req/s ratio to Express`, value, limit: `>= ${targets.minRpsRatioToExpress}`, pass: value >= targets.minRpsRatioToExpress });
      }
      if (targets.maxP99RatioToExpress !== undefined && express) {
        const value = registry.p99Ms / express.p99Ms;
        checks.push({ what: `${at}: p99 ratio to Express`, value, limit: `<= ${targets.maxP99RatioToExpress}`, pass: value <= targets.maxP99RatioToExpress });
      }
      if (targets.maxP95Ms !== undefined) {
        checks.push({ what: `${at}: p95 ms`, value: registry.p95Ms, limit: `<= ${targets.maxP95Ms}`, pass: registry.p95Ms <= targets.maxP95Ms });
      }
      if (targets.maxGrowthP95 !== undefined && agents === largest && largest > smallest) {
        const small = find(measurements, smallest, scenario, 'registry');
        if (small) {
          const value = registry.p95Ms / small.p95Ms;
          checks.push({ what: `${scenario}: p95 growth ${smallest} -> ${largest}`, value, limit: `<= ${targets.maxGrowthP95}`, pass: value <= targets.maxGrowthP95 });
        }
      }
    }
  }
  for (const size of sizes) {
    const value = size.memoryPerAgentBytes / size.cardJsonBytes;
    checks.push({ what: `memory per agent / card JSON @ ${size.agents}`, value, limit: `<= ${MAX_MEMORY_PER_AGENT_RATIO}`, pass: value <= MAX_MEMORY_PER_AGENT_RATIO });
  }
  return checks;
}

export function checksTable(checks: TargetCheck[]): string {
  return [
    '| target | measured | limit | verdict |',
    '| --- | ---: | --- | --- |',
    ...checks.map((c) => `| ${c.what} | ${fmt(c.value)} | ${c.limit} | ${c.pass ? 'pass' : 'FAIL'} |`),
  ].join('\n');
}
