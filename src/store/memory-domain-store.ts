import type { ChallengeGrant, DomainClaim, DomainStore } from './domain-claims.js';

/** The embedded store's domain claims, read by the embedded agent store as it writes. */
export class MemoryDomainStore implements DomainStore {
  private readonly claims = new Map<string, DomainClaim>();
  /** Challenge tokens by `domain`, `principal` (a newline cannot be in a domain), with their expiry (ms). */
  private readonly challenges = new Map<string, { token: string; expiresAt: number }>();

  /** The owner of the claim on exactly `domain`. */
  readonly ownerOf = (domain: string): string | undefined => this.claims.get(domain)?.owner;

  async putChallenge(grant: ChallengeGrant, ttlSeconds: number): Promise<void> {
    const key = `${grant.domain}\n${grant.principal}`;
    this.dropExpired(Date.now());
    // Deleted first, so the map stays in the order of the challenges' ages.
    this.challenges.delete(key);
    this.challenges.set(key, { token: grant.token, expiresAt: Date.now() + ttlSeconds * 1000 });
  }

  async challengeToken(domain: string, principal: string): Promise<string | null> {
    const challenge = this.challenges.get(`${domain}\n${principal}`);
    return challenge && challenge.expiresAt > Date.now() ? challenge.token : null;
  }

  async claim(claim: DomainClaim, token: string): Promise<DomainClaim | null> {
    if ((await this.challengeToken(claim.domain, claim.owner)) !== token) return null;
    this.challenges.delete(`${claim.domain}\n${claim.owner}`);
    const previous = this.claims.get(claim.domain)?.owner;
    const stored = { ...claim, ...(previous !== undefined && previous !== claim.owner ? { previousOwner: previous } : {}) };
    this.claims.set(claim.domain, stored);
    return { ...stored };
  }

  async get(domain: string): Promise<DomainClaim | null> {
    const claim = this.claims.get(domain);
    return claim ? { ...claim } : null;
  }

  async remove(domain: string): Promise<boolean> {
    return this.claims.delete(domain);
  }

  /**
   * Challenges nobody answered would otherwise pile up (Redis expires them itself). The map is in
   * age order, and every challenge lives as long (one TTL per registry), so the expired ones are
   * at its front: the work is what is dropped.
   */
  private dropExpired(now: number): void {
    for (const [key, { expiresAt }] of this.challenges) {
      if (expiresAt > now) return;
      this.challenges.delete(key);
    }
  }
}
