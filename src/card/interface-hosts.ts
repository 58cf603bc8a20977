import { isIP } from 'node:net';
import type { NormalisedCard } from './normalised-card.js';

/**
 * The host name of a URL as domain rules compare it: lower-case, without a trailing dot or IPv6
 * brackets; undefined when the URL does not parse or names no host (`urn:`, `mailto:`).
 */
export function hostOf(url: string): string | undefined {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  const host = parsed?.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  return host ? host : undefined;
}

/** The distinct hosts of a card's interfaces (1.0 `supportedInterfaces`, 0.3 `url` and `additionalInterfaces`). */
export function interfaceHosts(card: NormalisedCard): string[] {
  const hosts = new Set<string>();
  for (const { url } of card.interfaces) {
    const host = hostOf(url);
    if (host) hosts.add(host);
  }
  return [...hosts];
}

/**
 * A host and every domain it lies under, most specific first: `a.b.example.com`, `b.example.com`,
 * `example.com`, `com`. An IP address has no parent domains: just itself. A proven domain covers
 * every host that lists it here.
 */
export function domainAndParents(host: string): string[] {
  if (isIP(host) !== 0) return [host];
  const labels = host.split('.');
  return labels.map((_, i) => labels.slice(i).join('.')).filter((domain) => domain !== '');
}
