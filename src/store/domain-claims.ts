import { domainAndParents } from '../card/interface-hosts.js';

/** How a domain was proven. */
export type ProofMethod = 'http-challenge';

/** A domain proven by a principal: it owns the agents whose interfaces live on it or below it. */
export interface DomainClaim {
  domain: string;
  owner: string;
  /** When the proof held (ISO time). */
  provenAt: string;
  method: ProofMethod;
  /** Who held the claim before this proof replaced it, when someone else did. */
  previousOwner?: string;
}

/** A challenge handed to a principal for a domain: the token it is to publish. */
export interface ChallengeGrant {
  domain: string;
  principal: string;
  token: string;
}

/** Where domain claims and their pending challenges live; the agent store reads the claims when it writes. */
export interface DomainStore {
  /** Keeps `grant` for `ttlSeconds`, replacing the principal's earlier challenge for the domain. */
  putChallenge(grant: ChallengeGrant, ttlSeconds: number): Promise<void>;
  /** The token of the principal's current challenge for the domain, or null when none is (any more). */
  challengeToken(domain: string, principal: string): Promise<string | null>;
  /**
   * Records `claim` (replacing any other principal's claim on the domain) and uses up the challenge
   * that proved it, atomically, when that challenge still holds `token`; null when it does not.
   */
  claim(claim: DomainClaim, token: string): Promise<DomainClaim | null>;
  /** The claim on exactly this domain, or null. */
  get(domain: string): Promise<DomainClaim | null>;
  /** Removes the claim on the domain; false when there was none. */
  remove(domain: string): Promise<boolean>;
}

/** Who proved a domain, as the agent store asks while it writes. */
export type DomainOwnerOf = (domain: string) => string | undefined;

/** The proven domain that covers `host`, the most specific one, and its owner. */
function claimOfHost(host: string, ownerOf: DomainOwnerOf): { domain: string; owner: string } | undefined {
  for (const domain of domainAndParents(host)) {
    const owner = ownerOf(domain);
    if (owner !== undefined) return { domain, owner };
  }
  return undefined;
}

/** The first proven domain among `hosts` that another principal than `writer` owns, if any. */
export function refusingDomain(hosts: readonly string[], writer: string, ownerOf: DomainOwnerOf): string | undefined {
  for (const host of hosts) {
    const claim = claimOfHost(host, ownerOf);
    if (claim && claim.owner !== writer) return claim.domain;
  }
  return undefined;
}

/** Whether every host lies on a domain `owner` proved (a card without hosts is not verified). */
export function isDomainVerified(hosts: readonly string[], owner: string, ownerOf: DomainOwnerOf): boolean {
  return hosts.length > 0 && hosts.every((host) => claimOfHost(host, ownerOf)?.owner === owner);
}

/**
 * The one principal the proven domains give an agent on `hosts`: the owner of every claimed host,
 * when there is at least one and they all agree; undefined otherwise (the agent keeps its owner).
 */
export function domainOwnerOf(hosts: readonly string[], ownerOf: DomainOwnerOf): string | undefined {
  let found: string | undefined;
  for (const host of hosts) {
    const owner = claimOfHost(host, ownerOf)?.owner;
    if (owner === undefined) continue;
    if (found !== undefined && found !== owner) return undefined;
    found = owner;
  }
  return found;
}
