import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SCENARIOS } from '../../bench/scenarios.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Results {
  sizes: { agents: number; memoryPerAgentBytes: number; cardJsonBytes: number }[];
  measurements: { scenario: string; target: string; requests: number; errors: number; p95Ms: number }[];
  checks: { what: string; pass: boolean }[];
}

/** Runs `npm run bench`'s harness (the build is fresh: `npm test` builds first) and resolves with its exit code and output. */
function runHarness(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/harness/main.ts', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, REDIS_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('the benchmark harness, in a short smoke run', () => {
  const out = mkdtempSync(join(tmpdir(), 'a2a-bench-smoke-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('drives every scenario against the registry and both baselines, and writes its results', async () => {
    const { code, output } = await runHarness(['--agents', '60', '--duration', '0.3', '--warmup', '0.1', '--out', out]);
    expect(code, output).toBe(0);
    expect(output).toContain('| agents | operation | target | req/s |');
    const files = readdirSync(out).filter((name) => name.endsWith('.json'));
    expect(files).toHaveLength(1);
    const results = JSON.parse(readFileSync(join(out, files[0] as string), 'utf8')) as Results;
    for (const scenario of Object.keys(SCENARIOS)) {
      for (const target of ['registry', 'express', 'node']) {
        const m = results.measurements.find((x) => x.scenario === scenario && x.target === target);
        expect(m, `${scenario} ${target}`).toBeDefined();
        expect(m?.requests).toBeGreaterThan(0);
        expect(m?.errors, `${scenario} ${target} errors`).toBe(0);
      }
    }
    const [size] = results.sizes;
    expect(size?.agents).toBe(60);
    expect(size?.memoryPerAgentBytes).toBeGreaterThan(0);
    expect(size?.cardJsonBytes).toBeGreaterThan(0);
    expect(results.checks.length).toBeGreaterThan(0);
  }, 120_000);
});
