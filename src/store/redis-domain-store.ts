import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import type { ChallengeGrant, DomainClaim, DomainStore, ProofMethod } from './domain-claims.js';
import type { RedisKeys } from './redis-keys.js';
import { guardStorage } from './storage-failures.js';

interface DomainCommands {
  claimDomain(...args: string[]): Promise<[string, string?]>;
}

const CLAIM_SCRIPT = readFileSync(new URL('./lua/claim-domain.lua', import.meta.url), 'utf8');

/** Domain claims in Redis: the owners hash the agent scripts read, a hash per claim, expiring challenges. */
export class RedisDomainStore implements DomainStore {
  private readonly redis: Redis & DomainCommands;

  constructor(
    redis: Redis,
    private readonly keys: RedisKeys,
  ) {
    if (!('claimDomain' in redis)) redis.defineCommand('claimDomain', { numberOfKeys: 3, lua: CLAIM_SCRIPT });
    this.redis = redis as Redis & DomainCommands;
  }


  async putChallenge(grant: ChallengeGrant, ttlSeconds: number): Promise<void> {
    await guardStorage(() => this.redis.set(this.keys.domainChallenge(grant.domain, grant.principal), grant.token, 'EX', ttlSeconds), true);
  }

  challengeToken(domain: string, principal: string): Promise<string | null> {
    return guardStorage(() => this.redis.get(this.keys.domainChallenge(domain, principal)));
  }

  async claim(claim: DomainClaim, token: string): Promise<DomainClaim | null> {
    const k = this.keys;
    const [outcome, previous] = await guardStorage(
      () =>
        this.redis.claimDomain(
          k.domainChallenge(claim.domain, claim.owner),
          k.domainOwners,
          k.domainClaim(claim.domain),
          token,
          claim.domain,
          claim.owner,
          String(Date.parse(claim.provenAt)),
          claim.method,
        ),
      true,
    );
    if (outcome !== 'ok') return null;
    return { ...claim, ...(previous ? { previousOwner: previous } : {}) };
  }

  async get(domain: string): Promise<DomainClaim | null> {
    const [owner, provenAt, method, previousOwner] = await guardStorage(() =>
      this.redis.hmget(this.keys.domainClaim(domain), 'owner', 'provenAt', 'method', 'previousOwner'),
    );
    if (owner == null || provenAt == null) return null;
    return {
      domain,
      owner,
      provenAt: new Date(Number(provenAt)).toISOString(),
      method: (method ?? 'http-challenge') as ProofMethod,
      ...(previousOwner ? { previousOwner } : {}),
    };
  }

  async remove(domain: string): Promise<boolean> {
    const replies = await guardStorage(
      () => this.redis.multi().hdel(this.keys.domainOwners, domain).del(this.keys.domainClaim(domain)).exec(),
      true,
    );
    return replies?.[0]?.[1] === 1;
  }
}
