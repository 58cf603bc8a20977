import { spawn } from 'node:child_process';
import { REPO_ROOT } from '../../bench/harness/processes.js';

export { REPO_ROOT };

/**
 * Runs one of the benchmark's tools, a TypeScript file under bench/ (through tsx; the build it loads
 * is fresh: `npm test` builds first), and resolves with its exit code and all it printed.
 * @defaultValue env: this process's environment
 */
export function runBenchTool(script: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}
