import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface RunningProcess {
  child: ChildProcess;
  origin: string;
  stop(): Promise<void>;
}

/** Polls `url` until it answers 200, or fails after `timeoutMs`. */
export async function waitForOk(url: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

/**
 * Starts a Node process (TypeScript through tsx when `script` ends in .ts), with `nodeArgs` for
 * Node itself, and waits for `readyPath`.
 */
export async function startNodeProcess(
  script: string,
  args: string[],
  port: number,
  env: Record<string, string>,
  readyPath: string,
  nodeArgs: string[] = [],
): Promise<RunningProcess> {
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...nodeArgs, ...loader, script, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const origin = `http://127.0.0.1:${port}`;
  await waitForOk(`${origin}${readyPath}`);
  return {
    child,
    origin,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Runs a TypeScript script (through tsx) to its end; rejects when it exits with another status than 0. */
export function runScript(script: string, args: string[]): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${script} ${args.join(' ')} exited with ${signal ?? code}`))));
  });
}

/** A TypeScript script running in the background until stopped. */
export interface BackgroundScript {
  /** Sends SIGTERM and resolves with what the script printed on stdout after its first line, once it exited. */
  stop(): Promise<string>;
}

/**
 * Starts a TypeScript script (through tsx) that runs until SIGTERM, and resolves once it printed
 * its first line on stdout: its sign that it is under way.
 */
export async function startScript(script: string, args: string[]): Promise<BackgroundScript> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('\n')) resolve();
    });
    void exited.then((code) => reject(new Error(`${script} exited with ${code} before it was under way`)));
  });
  return {
    stop: async () => {
      child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) throw new Error(`${script} exited with ${code}`);
      return stdout.slice(stdout.indexOf('\n') + 1);
    },
  };
}
