import type { Redis } from 'ioredis';
import { readLua } from './redis-agent-store.js';
import type { RedisKeys } from './redis-keys.js';

interface MirrorCommands {
  holdMirrorLock(lock: string, token: string, leaseMs: string): Promise<number>;
}

/** Where a mirror stands in its source's change log, as stored with its last step. */
export interface MirrorPosition {
  cursor: string;
  /** The source (URL and filter) the cursor belongs to. */
  source: string;
}

/**
 * A mirror's lock and position in Redis, beside the records it writes (`RedisAgentStore.mirror`,
 * which stores the position with each change): one process follows a source at a time.
 */
export class RedisMirrorState {
  private readonly redis: Redis & MirrorCommands;

  constructor(redis: Redis, private readonly keys: RedisKeys) {
    if (!('holdMirrorLock' in redis)) {
      redis.defineCommand('holdMirrorLock', { numberOfKeys: 1, lua: readLua('hold-mirror-lock') });
    }
    this.redis = redis as Redis & MirrorCommands;
  }

  /** Takes the lock for `leaseMs`, or extends it when `token` holds it; false when another process holds it. */
  async hold(token: string, leaseMs: number): Promise<boolean> {
    return (await this.redis.holdMirrorLock(this.keys.mirrorLock, token, String(leaseMs))) === 1;
  }

  /** Gives the lock up when `token` holds it, so that another process may follow at once. */
  async release(token: string): Promise<void> {
    await this.redis.holdMirrorLock(this.keys.mirrorLock, token, '0');
  }

  async position(): Promise<MirrorPosition | undefined> {
    const [cursor, source] = await this.redis.hmget(this.keys.mirrorPosition, 'cursor', 'source');
    return cursor && typeof source === 'string' ? { cursor, source } : undefined;
  }

  /** Forgets the position, before a snapshot: a follower stopped halfway through one starts it again. */
  async forgetPosition(): Promise<void> {
    await this.redis.del(this.keys.mirrorPosition);
  }
}
