import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { AppError, UnavailableError } from '../errors.js';
import type { AgentRecord, AgentStatus, AgentWrite, SaveOptions, SaveResult } from './agent-record.js';
import type { AgentStore } from './agent-store.js';
import type { RedisKeys } from './redis-keys.js';
import { refusedWrite } from './store-outcome.js';

const RECORD_FIELDS = ['card', 'meta', 'revision', 'createdAt', 'updatedAt', 'status'] as const;

type ScriptReply = [string, string, string?, string?];

interface RegistryCommands {
  saveAgent(...args: string[]): Promise<ScriptReply>;
  deleteAgent(...args: string[]): Promise<ScriptReply>;
}

const loadScript = (name: string) => readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), 'utf8');

/** Registers the Lua scripts once per connection; ioredis sends EVALSHA and falls back to EVAL. */
function defineScripts(redis: Redis): Redis & RegistryCommands {
  if (!('saveAgent' in redis)) {
    redis.defineCommand('saveAgent', { numberOfKeys: 3, lua: loadScript('save-agent') });
    redis.defineCommand('deleteAgent', { numberOfKeys: 2, lua: loadScript('delete-agent') });
  }
  return redis as Redis & RegistryCommands;
}

function toRecord(id: string, values: (string | null)[]): AgentRecord | null {
  const [card, meta, revision, createdAt, updatedAt, status] = values;
  if (card == null || meta == null || revision == null) return null;
  return {
    id,
    card,
    summary: JSON.parse(meta),
    revision: Number(revision),
    createdAt: createdAt ?? '',
    updatedAt: updatedAt ?? '',
    status: (status ?? 'active') as AgentStatus,
  };
}

/** Any failure of Redis itself (down, timed out, refusing) becomes a 503 that tells the client to retry. */
async function guard<T>(operation: Promise<T>): Promise<T> {
  try {
    return await operation;
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new UnavailableError(`Storage is unavailable: ${(error as Error).message}`);
  }
}

/** The production store: one hash per agent, one set per index term, a sorted set for listing. */
export class RedisAgentStore implements AgentStore {
  readonly kind = 'redis';
  private readonly redis: Redis & RegistryCommands;

  constructor(
    redis: Redis,
    private readonly keys: RedisKeys,
  ) {
    this.redis = defineScripts(redis);
  }

  async save(write: AgentWrite, options: SaveOptions = {}): Promise<SaveResult> {
    const reply = await guard(
      this.redis.saveAgent(
        this.keys.agent(write.id),
        this.keys.listing,
        this.keys.revision,
        write.id,
        options.expectedRevision === undefined ? '' : String(options.expectedRevision),
        options.mustNotExist ? '1' : '0',
        write.now,
        write.card,
        JSON.stringify(write.summary),
        this.keys.indexPrefix,
        this.keys.invalidations,
        write.terms.join('\n'),
      ),
    );
    const [outcome, revision, createdAt, created] = reply;
    if (outcome !== 'ok') throw refusedWrite(outcome as 'conflict' | 'stale', write.id, Number(revision));
    return {
      created: created === '1',
      record: {
        id: write.id,
        card: write.card,
        summary: write.summary,
        revision: Number(revision),
        createdAt: createdAt ?? write.now,
        updatedAt: write.now,
        status: 'active',
      },
    };
  }

  async get(id: string): Promise<AgentRecord | null> {
    const values = await guard(this.redis.hmget(this.keys.agent(id), ...RECORD_FIELDS));
    return toRecord(id, values);
  }

  async getMany(ids: readonly string[]): Promise<AgentRecord[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hmget(this.keys.agent(id), ...RECORD_FIELDS);
    const replies = (await guard(pipeline.exec())) ?? [];
    const records: AgentRecord[] = [];
    replies.forEach(([error, values], index) => {
      if (error) throw new UnavailableError(`Storage is unavailable: ${error.message}`);
      const record = toRecord(ids[index] as string, values as (string | null)[]);
      if (record) records.push(record);
    });
    return records;
  }

  async delete(id: string, expectedRevision?: number): Promise<number> {
    const [outcome, revision] = await guard(
      this.redis.deleteAgent(
        this.keys.agent(id),
        this.keys.listing,
        id,
        expectedRevision === undefined ? '' : String(expectedRevision),
        this.keys.indexPrefix,
        this.keys.invalidations,
      ),
    );
    if (outcome !== 'ok') throw refusedWrite(outcome as 'missing' | 'stale', id, Number(revision));
    return Number(revision);
  }

  listIds(after: string | undefined, limit: number): Promise<string[]> {
    const min = after === undefined ? '-' : `(${after}`;
    return guard(this.redis.zrangebylex(this.keys.listing, min, '+', 'LIMIT', 0, limit));
  }

  intersect(terms: readonly string[]): Promise<string[]> {
    const keys = terms.map((t) => this.keys.index(t));
    if (keys.length === 0) return Promise.resolve([]);
    return guard(keys.length === 1 ? this.redis.smembers(keys[0] as string) : this.redis.sinter(...keys));
  }

  count(): Promise<number> {
    return guard(this.redis.zcard(this.keys.listing));
  }

  async ping(): Promise<void> {
    await guard(this.redis.ping());
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
