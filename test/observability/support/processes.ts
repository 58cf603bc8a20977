import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { waitFor } from '../../helpers/processes.js';
import { freePort } from '../../setup/redis-global-setup.js';
import { REPO_ROOT } from './queries.js';

/**
 * Every child process these tests start, so that none outlives the test file even when a hook
 * fails half-way: each is stopped by its own `stop()`, and killed by pid at exit as a last resort.
 */
const started = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** Stops a child: SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    started.delete(child);
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  started.delete(child);
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function buildIsFresh(): boolean {
  try {
    return statSync(join(REPO_ROOT, 'dist/main.js')).mtimeMs >= newestMtime(join(REPO_ROOT, 'src'));
  } catch {
    return false;
  }
}

/**
 * Makes sure dist/ holds a build of the current src/ (`npm test` builds first, so this is a no-op
 * there; a bare `vitest run` after editing src/ builds here). Test files run in parallel: a
 * directory lock lets one of them build while the others wait.
 */
export async function ensureBuilt(): Promise<void> {
  if (buildIsFresh()) return;
  mkdirSync(join(REPO_ROOT, 'node_modules/.cache'), { recursive: true });
  const lock = join(REPO_ROOT, 'node_modules/.cache/a2a-observability-build.lock');
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another test file is building; a lock older than the deadline was left by a dead run.
      const held = statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${lock}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    if (buildIsFresh()) return;
    const build = spawnSync('npm', ['run', 'build'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 110_000 });
    if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}\n${build.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export interface RegistryProcess {
  role: 'api' | 'worker' | 'all';
  pid: number;
  /** http://127.0.0.1:PORT */
  origin: string;
  /** host:port, for a scrape target. */
  target: string;
  /** What the process wrote so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `node dist/main.js` (as the Dockerfile and `npm start` do) on a free loopback port and
 * waits until it is ready (`/ready` answers 200, so Redis answered too).
 */
export async function startRegistryProcess(options: {
  role: 'api' | 'worker' | 'all';
  redisUrl: string;
  redisPrefix: string;
  env?: Record<string, string>;
}): Promise<RegistryProcess> {
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: REPO_ROOT,
    // Only what the process needs: nothing of the test runner's environment (METRICS_PORT, ...) leaks in.
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      REDIS_URL: options.redisUrl,
      REDIS_PREFIX: options.redisPrefix,
      ROLE: options.role,
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_MS: '3000',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`registry (${options.role}) did not start listening within 15 s:\n${output}`)), 15_000);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      output += `${line}\n`;
      try {
        const entry = JSON.parse(line) as { msg?: string; address?: { port?: number } };
        if (entry.msg === 'A2A Registry listening' && typeof entry.address?.port === 'number') {
          clearTimeout(timer);
          resolve(entry.address.port);
        }
      } catch {
        // not a JSON log line
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`registry (${options.role}) exited (${code ?? signal}) before listening:\n${output}`));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  }).catch(async (error: unknown) => {
    await stopChild(child);
    throw error;
  });
  const origin = `http://127.0.0.1:${port}`;
  const running: RegistryProcess = {
    role: options.role,
    pid: child.pid!,
    origin,
    target: `127.0.0.1:${port}`,
    output: () => output,
    stop: () => stopChild(child),
  };
  try {
    await waitFor(`registry (${options.role}) ready`, 15_000, async () => (await fetch(`${origin}/ready`)).ok);
  } catch (error) {
    await running.stop();
    throw error;
  }
  return running;
}

/** Starts several processes at once; when one fails, stops those that started and throws. */
export async function startAll<T extends { stop(): Promise<void> }>(starting: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(starting);
  const started = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((p) => p.stop()));
    throw failed.reason;
  }
  return started;
}

/** The message when a tool these tests need is not on PATH. */
export function missingTool(tool: string): string {
  return (
    `${tool} was not found on PATH. The observability tests run a real Prometheus and promtool: ` +
    `.ci/run installs Debian's prometheus package (apt-get install prometheus), or install it yourself.`
  );
}

export function toolOnPath(tool: string): boolean {
  const found = spawnSync(tool, ['--version'], { encoding: 'utf8' });
  return !found.error;
}

/** Runs `promtool` with `args`, `input` on its stdin. */
export function promtool(args: string[], input?: string): { status: number | null; output: string } {
  if (!toolOnPath('promtool')) throw new Error(missingTool('promtool'));
  const run = spawnSync('promtool', args, { input, encoding: 'utf8', timeout: 30_000, cwd: REPO_ROOT });
  if (run.error) throw run.error;
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

export interface PrometheusProcess {
  pid: number;
  url: string;
  /** GET /api/v1/query, at `time` (Unix seconds; now when not given): the result vector (or throws on an API error). */
  query(expr: string, time?: number): Promise<PromSample[]>;
  stop(): Promise<void>;
}

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** Starts a real Prometheus with `config` (YAML text) on a free loopback port and a temp storage dir, with `extraArgs` (flags). */
export async function startPrometheus(config: string, extraArgs: string[] = []): Promise<PrometheusProcess> {
  if (!toolOnPath('prometheus')) throw new Error(missingTool('prometheus'));
  const dir = mkdtempSync(join(tmpdir(), 'a2a-prometheus-'));
  writeFileSync(join(dir, 'prometheus.yml'), config);
  const port = await freePort();
  const child = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
      ...extraArgs,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  started.add(child);
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChild(child, 10_000);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([
      waitFor('Prometheus ready', 20_000, async () => (await fetch(`${url}/-/ready`)).ok),
      new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`prometheus exited (${code}):\n${output}`)))),
    ]);
  } catch (error) {
    await stop();
    throw new Error(`${String(error)}\n${output}`);
  }
  return {
    pid: child.pid!,
    url,
    stop,
    query: async (expr, time) => {
      const params = new URLSearchParams({ query: expr, ...(time === undefined ? {} : { time: String(time) }) });
      const response = await fetch(`${url}/api/v1/query?${params}`);
      const body = (await response.json()) as { status: string; error?: string; data?: { resultType: string; result: PromSample[] } };
      if (body.status !== 'success' || !body.data) throw new Error(`query failed (${response.status}): ${body.error ?? ''}: ${expr}`);
      if (body.data.resultType !== 'vector') throw new Error(`expected a vector, got ${body.data.resultType}: ${expr}`);
      return body.data.result;
    },
  };
}

/** nginx, when installed (Debian puts it in /usr/sbin, which is not always on PATH). */
export const NGINX: string | undefined = ['nginx', '/usr/sbin/nginx'].find(
  (candidate) => spawnSync(candidate, ['-v'], { encoding: 'utf8' }).status === 0,
);
/** Why the nginx tests skip without it. */
export const NO_NGINX = "no nginx on PATH or in /usr/sbin; .ci/run installs Debian's nginx-light";
