import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort } from '../setup/redis-global-setup.js';

/** The repository root, where `dist/main.js` is (`npm test` builds it before the tests run). */
const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** How long a process may take to answer 200 on `/ready` after it was spawned. */
const READY_TIMEOUT_MS = 15_000;
/** How long `stop()` waits for a signalled process before it sends SIGKILL. */
const STOP_TIMEOUT_MS = 15_000;

/** Every child these helpers started and that has not exited yet, so none outlives the test file. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** One JSON log line of a registry process (pino, its level by name). */
export interface LogEntry {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  time: number;
  msg: string;
  pid: number;
  [field: string]: unknown;
}

const SEVERITY = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;

/** Whether a log line is at `level` or more severe. */
export const isAtLeast = (entry: LogEntry, level: LogEntry['level']): boolean => SEVERITY[entry.level] >= SEVERITY[level];

/** How a process ended: its exit code, or the signal that ended it. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export type Role = 'api' | 'worker' | 'all';

/** A registry running as a real OS process (`node dist/main.js`). */
export interface RegistryProcess {
  readonly role: Role;
  readonly pid: number;
  readonly port: number;
  /** `http://127.0.0.1:PORT` */
  readonly baseUrl: string;
  /** Every stdout line so far, in order (JSON log lines). */
  readonly lines: string[];
  /** The stdout lines that parsed as JSON log entries. */
  logs(): LogEntry[];
  /** stdout and stderr so far, for failure messages. */
  output(): string;
  /** Polls the logs (every 100 ms) until an entry matches; fails after `timeoutMs`. */
  waitForLog(predicate: (entry: LogEntry) => boolean, timeoutMs?: number): Promise<LogEntry>;
  /** Resolves when the process has exited. */
  readonly exited: Promise<Exit>;
  hasExited(): boolean;
  /** Sends `signal` (SIGTERM by default) and resolves with the exit code (null when a signal ended it). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** kill -9, resolves once the process is gone. */
  kill(): Promise<Exit>;
}

export interface StartOptions {
  role: Role;
  /** Unset for a process configured otherwise (`REDIS_SENTINELS` or `REDIS_CLUSTER_NODES` in `env`). */
  redisUrl: string | undefined;
  redisPrefix: string;
  /** More environment variables, or overrides of the defaults. */
  env?: Record<string, string>;
}

/** Polls `check` every 100 ms until it returns a truthy value; fails after `timeoutMs` with the last error. */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined | null | false> | T | undefined | null | false): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
      last = undefined;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function parseLog(line: string): LogEntry | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const entry = JSON.parse(line) as LogEntry;
    return typeof entry.msg === 'string' ? entry : undefined;
  } catch {
    return undefined;
  }
}

function spawnRegistry(options: StartOptions, port: number): RegistryProcess {
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: REPO_ROOT,
    // Only what the process needs: nothing of the test runner's environment (REDIS_URL, METRICS_PORT, ...) leaks in.
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      REDIS_URL: options.redisUrl,
      REDIS_PREFIX: options.redisPrefix,
      ROLE: options.role,
      LOG_LEVEL: 'info',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const lines: string[] = [];
  const entries: LogEntry[] = [];
  let stderr = '';
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    const entry = parseLog(line);
    if (entry) entries.push(entry);
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;
  const output = () => `--- stdout of ${options.role} pid ${child.pid} ---\n${lines.join('\n')}\n--- stderr ---\n${stderr}`;
  const signalAndWait = async (signal: NodeJS.Signals): Promise<Exit> => {
    if (!hasExited()) child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    const exit = await exited;
    clearTimeout(timer);
    return exit;
  };
  return {
    role: options.role,
    pid: child.pid!,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    lines,
    logs: () => entries,
    output,
    waitForLog: (predicate, timeoutMs = 10_000) =>
      waitFor(`log line in ${options.role} pid ${child.pid}`, timeoutMs, () => entries.find(predicate)),
    exited,
    hasExited,
    stop: async (signal = 'SIGTERM') => (await signalAndWait(signal)).code,
    kill: () => signalAndWait('SIGKILL'),
  };
}

/**
 * Spawns `node dist/main.js` like {@link startRegistryProcess} but does not wait for it to be ready:
 * for processes that cannot be (Redis down) or must not be (a taken port, given in `port`).
 */
export async function spawnRegistryProcess(options: StartOptions, port?: number): Promise<RegistryProcess> {
  return spawnRegistry(options, port ?? (await freePort()));
}

/**
 * Starts `node dist/main.js` on a free loopback port with `ROLE`, `REDIS_URL`, `REDIS_PREFIX`,
 * `LOG_LEVEL=info` and `options.env`, and waits until `GET /ready` answers 200 (workers serve
 * `/health` and `/ready` too). A port taken between choosing and binding it is retried on another.
 */
export async function startRegistryProcess(options: StartOptions): Promise<RegistryProcess> {
  for (let attempt = 1; ; attempt++) {
    const proc = spawnRegistry(options, await freePort());
    try {
      const outcome = await waitFor(`${options.role} pid ${proc.pid} ready`, READY_TIMEOUT_MS, async () => {
        if (proc.hasExited()) return 'exited';
        const res = await fetch(`${proc.baseUrl}/ready`);
        await res.arrayBuffer();
        return res.status === 200 && 'ready';
      });
      if (outcome === 'ready') return proc;
      const exit = await proc.exited;
      if (attempt < 3 && /EADDRINUSE/.test(proc.output())) continue;
      throw new Error(`${options.role} exited (${exit.code ?? exit.signal}) before it was ready`);
    } catch (error) {
      await proc.kill();
      throw new Error(`${(error as Error).message}\n${proc.output()}`);
    }
  }
}

/** Kills (kill -9) every registry process these helpers started that is still running; for afterAll. */
export async function killLeftoverProcesses(): Promise<void> {
  const left = [...running];
  await Promise.all(
    left.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}
