import { z } from 'zod';
import { named } from '../http/named-schemas.js';

// The bodies of the domain operations' REST answers, beside their presenter, which takes its types from them.

const claimFields = z.object({
  domain: z.string(),
  /** The principal that proved it. */
  owner: z.string(),
  proven_at: z.string(),
  method: z.literal('http-challenge'),
  previous_owner: z.string().optional(),
});
export type ClaimFields = z.infer<typeof claimFields>;

const settleFields = z.object({
  /** Agents that changed hands. */
  agents_taken_over: z.number().int(),
  /** Agents that changed at all. */
  agents_changed: z.number().int(),
});

export const domainClaimResponse = named('DomainClaim', claimFields);

export const domainChallengeResponse = named(
  'DomainChallenge',
  z.object({
    domain: z.string(),
    method: z.literal('http-challenge'),
    token: z.string(),
    /** The exact URL the registry fetches. */
    url: z.string(),
    /** The JSON document to serve there. */
    document: z.object({ token: z.string() }),
    expires_at: z.string(),
  }),
);
export type DomainChallengeAnswer = z.infer<typeof domainChallengeResponse>;

export const domainVerifiedResponse = named(
  'DomainVerified',
  claimFields.extend(settleFields.shape).extend({ success: z.literal(true), verified: z.literal(true) }),
);
export type DomainVerifiedAnswer = z.infer<typeof domainVerifiedResponse>;

export const domainRemovedResponse = named(
  'DomainRemoved',
  settleFields.extend({ success: z.literal(true), domain: z.string(), removed: z.literal(true) }),
);
export type DomainRemovedAnswer = z.infer<typeof domainRemovedResponse>;
