import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '../../src/client/index.js';
import { cardV1 } from '../helpers/cards.js';
import { useRegistry } from '../helpers/use-registry.js';

/** The built command line (`npm test` builds before the tests run). */
const CLI = fileURLToPath(new URL('../../dist/client/cli.js', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/client/cli.js ...args` as its own process (never synchronously: the registry answers from this one). */
function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const card = (name: string, extra: Record<string, unknown> = {}) =>
  cardV1({ name, description: `${name} for the command line`, skills: [{ id: 'cli-skill', name: 'S', description: 'D', tags: ['cli'] }], ...extra });

/** Where each column of a table's header begins. */
const columnStarts = (header: string) => [...header.matchAll(/\S+/g)].map((m) => m.index);

describe('the a2a-registry command', { timeout: 60_000 }, () => {
  const ctx = useRegistry();
  const dir = mkdtempSync(join(tmpdir(), 'a2a-cli-'));
  const env = () => ({ A2A_REGISTRY_URL: ctx.base });

  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
    writeFileSync(join(dir, 'card.json'), JSON.stringify(card('Cli Agent')));
    writeFileSync(join(dir, 'envelope.json'), JSON.stringify({ agent_card: card('Cli Enveloped') }));
    writeFileSync(join(dir, 'broken.json'), '{"name": ');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('registers a card file and prints what was stored, as fields or as JSON', async () => {
    const run = await cli(['register', join(dir, 'card.json'), '--ttl', '300'], env());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^agent_id: +cli-agent$/m);
    expect(run.stdout).toMatch(/^created: +true$/m);

    const json = await cli(['register', join(dir, 'envelope.json'), '--id', 'cli-chosen', '--json'], env());
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ agent_id: 'cli-chosen', created: true, status: 'active' });
  });

  it('searches with filters into an aligned table, or JSON with --json', async () => {
    await cli(['register', join(dir, 'card.json')], env());
    const run = await cli(['search', '--skill', 'cli-skill', '--tag', 'cli', '--q', 'command line', '--limit', '10'], env());
    expect(run.code).toBe(0);
    const [header, ...rows] = run.stdout.split('\n');
    expect(header).toMatch(/^AGENT_ID +NAME +STATUS +REVISION +SIGNATURE +DESCRIPTION$/);
    const agentRow = rows.find((row) => row.startsWith('cli-agent '));
    expect(agentRow).toBeDefined();
    // Each value starts under its header.
    for (const start of columnStarts(header as string)) expect(agentRow?.[start - 1] ?? ' ').toBe(' ');
    expect(agentRow?.slice(columnStarts(header as string)[1])).toMatch(/^Cli Agent /);
    expect(run.stdout).toMatch(/^2 of 2 agents$/m);

    const json = await cli(['search', '--skill', 'cli-skill', '--json', '--limit', '1'], env());
    const page = JSON.parse(json.stdout);
    expect(page).toMatchObject({ count: 1, total: 2, total_exact: true, next_cursor: expect.any(String) });
    const more = await cli(['search', '--skill', 'cli-skill', '--limit', '1'], env());
    expect(more.stdout).toMatch(/^next page: --cursor \S+$/m);
    expect((await cli(['search', '--skill', 'no-such-skill'], env())).stdout).toBe('No agents match.\n');
  });

  it('gets an agent as fields or JSON, sends a heartbeat and deletes it', async () => {
    await cli(['register', join(dir, 'card.json'), '--ttl', '300'], env());
    const got = await cli(['get', 'cli-agent'], env());
    expect(got.code).toBe(0);
    expect(got.stdout).toMatch(/^name: +Cli Agent$/m);
    expect(got.stdout).toMatch(/^skills: +cli-skill$/m);
    expect(got.stdout).toMatch(/^heartbeat_ttl: +300 s$/m);
    expect(JSON.parse((await cli(['get', 'cli-agent', '--json'], env())).stdout)).toMatchObject({ agent_id: 'cli-agent', found: true, agent_card: { name: 'Cli Agent' } });

    const beat = await cli(['heartbeat', 'cli-agent'], env());
    expect(beat.code).toBe(0);
    expect(beat.stdout).toMatch(/^reactivated: +false$/m);
    expect(JSON.parse((await cli(['heartbeat', 'cli-agent', '--json'], env())).stdout)).toMatchObject({ success: true, status: 'active' });

    const deleted = await cli(['delete', 'cli-agent'], env());
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toMatch(/^message: +Agent unregistered successfully$/m);
  });

  it('exits 1 with the registry code on stderr for a 404 and a refused request', async () => {
    const missing = await cli(['get', 'no-such-agent'], env());
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toBe("a2a-registry: agent_not_found (404): Agent 'no-such-agent' not found\n");

    const refused = await cli(['search', '--limit', '500'], env());
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^a2a-registry: validation_failed \(400\): .*\n {2}\$\.limit: must be at most 200\n$/);

    const unreachable = await cli(['get', 'x', '--url', 'http://127.0.0.1:9'], env());
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^a2a-registry: network_error: /);
  });

  it('exits 2 on a wrong command line, before asking the registry anything', async () => {
    for (const args of [['get'], ['get', 'a', 'b'], ['search', '--colour', 'red'], ['explode'], ['search', '--limit', 'ten'], ['register', join(dir, 'broken.json')], []]) {
      const run = await cli(args, { A2A_REGISTRY_URL: 'http://127.0.0.1:9' });
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr + run.stdout, args.join(' ')).toMatch(/a2a-registry/);
    }
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: a2a-registry <command>/);
  });

  it('watches the change log: a table by default, one JSON object per line with --json, and exits 0 when stopped', async () => {
    const client = new RegistryClient({ baseUrl: ctx.base });
    const since = (await client.list({ limit: 1 })).change_cursor as string;
    const start = (args: string[]) => {
      const child = spawn(process.execPath, [CLI, 'watch', '--since', since, ...args], { env: { ...process.env, ...env() }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
      const lines = async (count: number) => {
        const deadline = Date.now() + 10_000;
        while (stdout.split('\n').filter(Boolean).length < count) {
          if (Date.now() > deadline) throw new Error(`watch printed only: ${stdout}`);
          await new Promise((r) => setTimeout(r, 20));
        }
        return stdout.split('\n').filter(Boolean);
      };
      return { child, exited, lines };
    };
    const json = start(['--json', '--kind', 'registered,deleted']);
    const table = start([]);
    await client.register(card('Watched Cli'));
    await client.register(card('Watched Cli', { version: '2.0.0' }));
    await client.delete('watched-cli');

    const events = (await json.lines(2)).map((line) => JSON.parse(line));
    expect(events.map((e) => `${e.kind} ${e.agent_id}`)).toEqual(['registered watched-cli', 'deleted watched-cli']);
    const [header, ...rows] = await table.lines(4);
    expect(header).toMatch(/^AT +KIND +REVISION +AGENT_ID$/);
    expect(rows.map((row) => row.split(/ +/).slice(1, 2).concat(row.split(/ +/).slice(3)))).toEqual([
      ['registered', 'watched-cli'],
      ['updated', 'watched-cli'],
      ['deleted', 'watched-cli'],
    ]);
    const starts = columnStarts(header as string);
    for (const row of rows) expect(row.slice(starts[1]).startsWith(row.split(/ +/)[1] as string)).toBe(true);

    json.child.kill('SIGTERM');
    table.child.kill('SIGINT');
    expect(await json.exited).toBe(0);
    expect(await table.exited).toBe(0);
  });
});

describe('the a2a-registry command with credentials', { timeout: 60_000 }, () => {
  const key = 'cli-test-key-0123456789';
  const ctx = useRegistry({ AUTH_MODE: 'apikey', READS_REQUIRE_AUTH: 'true', API_KEYS: `cli:publisher:${createHash('sha256').update(key).digest('hex')}` });

  it('sends --api-key, $A2A_REGISTRY_API_KEY or --token, and exits 1 with 401 without one', async () => {
    const url = ['--url', ctx.base];
    const without = await cli(['search', ...url]);
    expect(without.code).toBe(1);
    expect(without.stderr).toMatch(/^a2a-registry: unauthorized \(401\): /);
    for (const [args, env] of [[['--api-key', key], {}], [[], { A2A_REGISTRY_API_KEY: key }], [['--token', key], {}]] as const) {
      const run = await cli(['search', ...url, '--json', ...args], env);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ count: 0 });
    }
  });
});
