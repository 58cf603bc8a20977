import { randomBytes } from 'node:crypto';
import { DomainProofFailedError, ForbiddenError, NotFoundError } from '../errors.js';
import type { SafeFetcher } from '../outbound/safe-fetch.js';
import { term } from '../search/index-terms.js';
import type { Actor } from '../store/agent-record.js';
import type { AgentStore, SearchPosition } from '../store/agent-store.js';
import type { DomainClaim, DomainStore } from '../store/domain-claims.js';

/** A challenge as handed to its principal: the token and where, and as what, to publish it. */
export interface IssuedChallenge {
  domain: string;
  token: string;
  /** The exact URL the registry fetches. */
  url: string;
  /** The JSON document to serve there (`Content-Type: application/json`). */
  document: { token: string };
  expiresAt: Date;
}

/** What a change of claims did to the agents on the domain. */
export interface SettleOutcome {
  /** Agents that changed hands. */
  agentsTakenOver: number;
  /** Agents that changed at all (hands, or only whether their domain is verified). */
  agentsChanged: number;
}

export interface DomainServiceOptions {
  /** How long a challenge may be answered, in seconds. */
  challengeTtlSeconds: number;
  /** Where a challenge is published: a URL with `{domain}` as its host and `{token}` in it. */
  challengeUrlTemplate: string;
}

/**
 * Agents settled per store call after a claim changes: each call is one short atomic step in
 * Redis (a few reads and writes per agent), so the claim's whole effect is many small steps.
 */
export const SETTLE_BATCH = 100;

/** Domain proofs: challenges, their verification through the SSRF-safe fetcher, claims and what they do to agents. */
export class DomainService {
  constructor(
    private readonly domains: DomainStore,
    private readonly agents: AgentStore,
    private readonly fetcher: SafeFetcher,
    private readonly options: DomainServiceOptions,
  ) {}

  /** A fresh challenge for `actor` on `domain`, replacing its earlier one. */
  async challenge(domain: string, actor: Actor): Promise<IssuedChallenge> {
    const token = randomBytes(32).toString('base64url');
    await this.domains.putChallenge({ domain, principal: actor.id, token }, this.options.challengeTtlSeconds);
    return {
      domain,
      token,
      url: this.challengeUrl(domain, token),
      document: { token },
      expiresAt: new Date(Date.now() + this.options.challengeTtlSeconds * 1000),
    };
  }

  /**
   * Fetches `actor`'s challenge document from the domain and, when it holds the token, records the
   * domain as `actor`'s, then brings the agents on it in line (the squatted ones become `actor`'s).
   * Verifying again after a proof settles the agents again, so an interrupted takeover is resumed.
   */
  async verify(domain: string, actor: Actor): Promise<{ claim: DomainClaim } & SettleOutcome> {
    const token = await this.domains.challengeToken(domain, actor.id);
    if (token === null) {
      throw new NotFoundError(`No current challenge of yours for '${domain}': it expired or was never asked for; ask for a new one`, 'challenge_not_found');
    }
    const url = this.challengeUrl(domain, token);
    const fetched = await this.fetcher.fetchJson(url);
    const published = (fetched.json as { token?: unknown } | null)?.token;
    if (published !== token) {
      throw new DomainProofFailedError(domain, `${url} does not hold the challenge token: serve {"token": "<token>"} there as application/json`);
    }
    const claim = await this.domains.claim({ domain, owner: actor.id, provenAt: new Date().toISOString(), method: 'http-challenge' }, token);
    // The challenge was replaced or ran out while its document was fetched.
    if (!claim) throw new NotFoundError(`The challenge for '${domain}' expired or was replaced during the verification; ask for a new one`, 'challenge_not_found');
    return { claim, ...(await this.settle(domain, `domain ${domain} proven by ${actor.id} (http challenge)`)) };
  }

  /** The claim on exactly `domain`. */
  async get(domain: string): Promise<DomainClaim> {
    const claim = await this.domains.get(domain);
    if (!claim) throw new NotFoundError(`Domain '${domain}' is not proven`, 'domain_not_found');
    return claim;
  }

  /** Removes the claim on `domain` (admins only); its agents keep their owners and lose their verified mark. */
  async remove(domain: string, actor: Actor): Promise<SettleOutcome> {
    if (!actor.admin) throw new ForbiddenError('Only an admin may remove a domain claim');
    if (!(await this.domains.remove(domain))) throw new NotFoundError(`Domain '${domain}' is not proven`, 'domain_not_found');
    return this.settle(domain, `claim on domain ${domain} removed by ${actor.id}`);
  }

  /**
   * Settles every agent with an interface on or below `domain`, a batch at a time: the term walk
   * bounds each page, the store re-checks each agent atomically. Work: the agents on the domain.
   */
  private async settle(domain: string, reason: string): Promise<SettleOutcome> {
    const outcome: SettleOutcome = { agentsTakenOver: 0, agentsChanged: 0 };
    let after: SearchPosition | undefined;
    do {
      const page = await this.agents.searchTerms({
        terms: [term('host', domain)],
        preferred: [],
        includeInactive: true,
        wanted: SETTLE_BATCH,
        ...(after ? { after } : {}),
      });
      const settled = await this.agents.settleDomainAgents(page.hits.map((hit) => hit.id), new Date(), reason);
      outcome.agentsChanged += settled.length;
      outcome.agentsTakenOver += settled.filter((agent) => agent.ownerChanged).length;
      after = page.hits.length === SETTLE_BATCH ? page.hits.at(-1)?.position : page.stoppedAt;
    } while (after);
    return outcome;
  }

  private challengeUrl(domain: string, token: string): string {
    return this.options.challengeUrlTemplate.replace('{domain}', domain).replace('{token}', token);
  }
}
