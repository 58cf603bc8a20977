import type { NamingStyle } from '../agents/agent-presenter.js';
import type { DomainClaim } from '../store/domain-claims.js';
import type { IssuedChallenge, SettleOutcome } from './domain-service.js';
import type { ClaimFields, DomainChallengeAnswer, DomainRemovedAnswer, DomainVerifiedAnswer } from './domain-responses.js';

const camel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function styled(style: NamingStyle, fields: Record<string, unknown>): Record<string, unknown> {
  return style === 'snake' ? fields : Object.fromEntries(Object.entries(fields).map(([key, value]) => [camel(key), value]));
}

function claimFields(claim: DomainClaim): ClaimFields {
  return {
    domain: claim.domain,
    owner: claim.owner,
    proven_at: claim.provenAt,
    method: claim.method,
    ...(claim.previousOwner !== undefined ? { previous_owner: claim.previousOwner } : {}),
  };
}

const settleFields = (outcome: SettleOutcome) => ({ agents_taken_over: outcome.agentsTakenOver, agents_changed: outcome.agentsChanged });

export function presentClaim(claim: DomainClaim, style: NamingStyle) {
  return styled(style, claimFields(claim));
}

export function presentChallenge(challenge: IssuedChallenge, style: NamingStyle) {
  const answer: DomainChallengeAnswer = {
    domain: challenge.domain,
    method: 'http-challenge',
    token: challenge.token,
    url: challenge.url,
    document: challenge.document,
    expires_at: challenge.expiresAt.toISOString(),
  };
  return styled(style, answer);
}

export function presentVerified({ claim, ...outcome }: { claim: DomainClaim } & SettleOutcome, style: NamingStyle) {
  const answer: DomainVerifiedAnswer = { success: true, verified: true, ...claimFields(claim), ...settleFields(outcome) };
  return styled(style, answer);
}

export function presentRemoved(domain: string, outcome: SettleOutcome, style: NamingStyle) {
  const answer: DomainRemovedAnswer = { success: true, domain, removed: true, ...settleFields(outcome) };
  return styled(style, answer);
}
