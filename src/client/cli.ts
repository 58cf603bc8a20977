#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { RegistryClient } from './registry-client.js';
import { RegistryError } from './registry-error.js';
import { deletedFields, heartbeatFields, pageTable, recordFields, savedFields, watchHeader, watchRow } from './cli-output.js';
import type { AgentCard, ChangeKind, SignatureStatus } from './wire-types.js';

// The `a2a-registry` command: the client's calls from a shell. Exit codes: 0 done, 1 the registry
// refused or could not be reached, 2 the command line was wrong.

const USAGE = `Usage: a2a-registry <command> [options]

Commands:
  search [--q TEXT] [--skill ID]... [--tag TAG]... [--limit N] [--cursor C]   find agents
         [--input-mode M]... [--output-mode M]... [--binding B]... [--provider P]...
         [--extension URI]... [--signature-status S] [--streaming] [--push-notifications]
         [--include-inactive]
  get <id>                                  show an agent
  register <card.json> [--id ID] [--ttl S]  register a card (the file may also be {"agent_card": ...})
  heartbeat <id>                            keep an agent active
  delete <id>                               remove an agent
  watch [--since CURSOR|now] [--kind K]... [--agent ID]...   follow the change log (Ctrl-C ends)

Options of every command:
  --url URL       the registry (default: $A2A_REGISTRY_URL, else http://127.0.0.1:8000)
  --api-key KEY   an API key (default: $A2A_REGISTRY_API_KEY)
  --token TOKEN   a bearer token
  --json          print JSON (one event per line for watch) instead of tables
  -h, --help      show this help
`;

/** A wrong command line: exit code 2. */
class UsageError extends Error {}

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;
type Options = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;

interface Command {
  /** Names of the positional arguments it takes, all required. */
  args: string[];
  options: Options;
  run(client: RegistryClient, args: string[], values: Values, json: boolean): Promise<void>;
}

const GLOBAL_OPTIONS: Options = {
  url: { type: 'string' },
  'api-key': { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

const list = { type: 'string', multiple: true } as const;
const str = { type: 'string' } as const;
const bool = { type: 'boolean' } as const;

const print = (line: string) => process.stdout.write(`${line}\n`);
const printJson = (value: unknown) => print(JSON.stringify(value, null, 2));

function wholeNumber(value: Values[string], option: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d+$/.test(value)) throw new UsageError(`--${option} must be a whole number`);
  return Number(value);
}

const strings = (value: Values[string]) => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined);
const string = (value: Values[string]) => (typeof value === 'string' ? value : undefined);
const flag = (value: Values[string]) => (value === true ? true : undefined);

async function readCard(path: string): Promise<AgentCard> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read a JSON card from ${path}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`${path} does not hold a JSON object`);
  const envelope = parsed as Record<string, unknown>;
  return (typeof envelope.agent_card === 'object' && envelope.agent_card !== null ? envelope.agent_card : envelope) as AgentCard;
}

const COMMANDS: Record<string, Command> = {
  search: {
    args: [],
    options: {
      q: str, skill: list, tag: list, limit: str, cursor: str, 'input-mode': list, 'output-mode': list, binding: list,
      provider: list, extension: list, 'signature-status': str, streaming: bool, 'push-notifications': bool, 'include-inactive': bool,
    },
    async run(client, _args, v, json) {
      const page = await client.search({
        ...(string(v.q) !== undefined ? { query: string(v.q) } : {}),
        skills: strings(v.skill), tags: strings(v.tag), inputModes: strings(v['input-mode']), outputModes: strings(v['output-mode']),
        bindings: strings(v.binding), providers: strings(v.provider), extensions: strings(v.extension),
        signatureStatus: string(v['signature-status']) as SignatureStatus | undefined,
        streaming: flag(v.streaming), pushNotifications: flag(v['push-notifications']), includeInactive: flag(v['include-inactive']),
        limit: wholeNumber(v.limit, 'limit'), cursor: string(v.cursor),
      });
      if (json) printJson(page);
      else print(pageTable(page));
    },
  },
  get: {
    args: ['id'],
    options: {},
    async run(client, [id], _v, json) {
      const record = await client.get(id as string);
      print(json ? JSON.stringify(record, null, 2) : recordFields(record));
    },
  },
  register: {
    args: ['card.json'],
    options: { id: str, ttl: str },
    async run(client, [path], v, json) {
      const card = await readCard(path as string);
      const ttl = wholeNumber(v.ttl, 'ttl');
      const saved = await client.register(card, { ...(string(v.id) !== undefined ? { agentId: string(v.id) } : {}), ...(ttl !== undefined ? { heartbeatTtlSeconds: ttl } : {}) });
      print(json ? JSON.stringify(saved, null, 2) : savedFields(saved));
    },
  },
  heartbeat: {
    args: ['id'],
    options: {},
    async run(client, [id], _v, json) {
      const result = await client.heartbeat(id as string);
      print(json ? JSON.stringify(result, null, 2) : heartbeatFields(result));
    },
  },
  delete: {
    args: ['id'],
    options: {},
    async run(client, [id], _v, json) {
      const deleted = await client.delete(id as string);
      print(json ? JSON.stringify(deleted, null, 2) : deletedFields(deleted));
    },
  },
  watch: {
    args: [],
    options: { since: str, kind: list, agent: list },
    async run(client, _args, v, json) {
      const abort = new AbortController();
      process.once('SIGINT', () => abort.abort());
      process.once('SIGTERM', () => abort.abort());
      // `now`: the end of the log, as a plain listing's change_cursor gives it.
      const since = v.since === 'now' ? (await client.list({ limit: 1 })).change_cursor : string(v.since);
      if (!json) print(watchHeader());
      const events = client.watch({ ...(since !== undefined ? { since } : {}), kinds: strings(v.kind) as ChangeKind[] | undefined, agentId: strings(v.agent), signal: abort.signal });
      for await (const event of events) print(json ? JSON.stringify(event) : watchRow(event));
    },
  },
};

function clientOf(values: Values): RegistryClient {
  const apiKey = string(values['api-key']) ?? process.env.A2A_REGISTRY_API_KEY;
  const token = string(values.token);
  return new RegistryClient({
    baseUrl: string(values.url) ?? process.env.A2A_REGISTRY_URL ?? 'http://127.0.0.1:8000',
    ...(apiKey ? { apiKey } : {}),
    ...(token ? { bearerToken: token } : {}),
  });
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name === undefined ? 2 : 0;
  }
  try {
    const command = COMMANDS[name];
    if (!command) throw new UsageError(`unknown command '${name}'`);
    const { values, positionals } = parseArgs({ args: rest, options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
    if (values.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    if (positionals.length !== command.args.length) {
      throw new UsageError(`${name} takes ${command.args.length ? command.args.map((a) => `<${a}>`).join(' ') : 'no arguments'}, got ${positionals.length}`);
    }
    await command.run(clientOf(values), positionals, values, values.json === true);
    return 0;
  } catch (error) {
    if (error instanceof RegistryError) {
      process.stderr.write(`a2a-registry: ${error.code}${error.status ? ` (${error.status})` : ''}: ${error.message}\n`);
      for (const violation of error.violations) process.stderr.write(`  ${violation.path}: ${violation.message}\n`);
      return 1;
    }
    // parseArgs reports an unknown option or a missing value with a code of its own.
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`a2a-registry: ${(error as Error).message}\nRun 'a2a-registry --help' for the commands and options.\n`);
      return 2;
    }
    throw error;
  }
}

// A reader that stopped reading (`watch | head`) ends the command, quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
});
process.exitCode = await main(process.argv.slice(2));
