import { actorOf } from '../auth/auth-middleware.js';
import type { MethodHandler } from '../jsonrpc/jsonrpc-dispatcher.js';
import { paramsReader } from '../jsonrpc/params-reader.js';
import { domainRequest } from './domain-requests.js';
import type { NamingStyle } from '../agents/agent-presenter.js';
import { presentChallenge, presentClaim, presentRemoved, presentVerified } from './domain-presenter.js';
import type { DomainService } from './domain-service.js';

const readDomain = paramsReader(domainRequest);

/** The domain methods that change something: they need credentials and count against the write budget. */
export const DOMAIN_WRITE_METHODS: ReadonlySet<string> = new Set([
  'request_domain_challenge',
  'verify_domain',
  'remove_domain',
  'RequestDomainChallenge',
  'VerifyDomain',
  'DeleteDomainClaim',
]);

/** The JSON-RPC door of domain proofs, snake_case names and A2A-style PascalCase aliases. */
export function domainMethods(domains: DomainService): Map<string, MethodHandler> {
  const challenge = (style: NamingStyle): MethodHandler => async (params, context) =>
    presentChallenge(await domains.challenge(readDomain(params).domain, actorOf(context.principal)), style);
  const verify = (style: NamingStyle): MethodHandler => async (params, context) =>
    presentVerified(await domains.verify(readDomain(params).domain, actorOf(context.principal)), style);
  const get = (style: NamingStyle): MethodHandler => async (params) => presentClaim(await domains.get(readDomain(params).domain), style);
  const remove = (style: NamingStyle): MethodHandler => async (params, context) => {
    const { domain } = readDomain(params);
    return presentRemoved(domain, await domains.remove(domain, actorOf(context.principal)), style);
  };
  return new Map<string, MethodHandler>([
    ['request_domain_challenge', challenge('snake')],
    ['verify_domain', verify('snake')],
    ['get_domain', get('snake')],
    ['remove_domain', remove('snake')],
    ['RequestDomainChallenge', challenge('camel')],
    ['VerifyDomain', verify('camel')],
    ['GetDomainClaim', get('camel')],
    ['DeleteDomainClaim', remove('camel')],
  ]);
}
