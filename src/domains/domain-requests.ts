import { isIP } from 'node:net';
import { z } from 'zod';

// One schema per domain operation, read by both doors: REST takes the domain from the path, JSON-RPC from the params.

/** Longest domain name DNS allows, in its ASCII form. */
const MAX_DOMAIN_LENGTH = 253;
/** Letters, digits and hyphens per label, no hyphen at either end, at most 63 characters. */
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * A domain name as claims key it: lower-case, without a trailing dot, internationalised names in
 * their ASCII (punycode) form, as URL host names are compared. IP addresses are no domains: a
 * proof covers a name and the names below it.
 */
export const domainName = z
  .string()
  .min(1)
  .max(MAX_DOMAIN_LENGTH + 1)
  .transform((value, ctx) => {
    const trimmed = value.trim().toLowerCase().replace(/\.$/, '');
    // Only name characters reach the URL parser, which would otherwise read a port, a path or credentials.
    const ascii = /^[\p{L}\p{M}\p{N}.-]+$/u.test(trimmed) && URL.canParse(`http://${trimmed}/`) ? new URL(`http://${trimmed}/`).hostname : '';
    const labels = ascii.split('.');
    if (ascii === '' || ascii.length > MAX_DOMAIN_LENGTH || isIP(ascii) !== 0 || !labels.every((label) => LABEL.test(label)) || /^\d+$/.test(labels.at(-1) ?? '')) {
      ctx.addIssue({ code: 'custom', message: 'must be a domain name such as example.com (letters, digits and hyphens in dot-separated labels; no IP address, port or path)' });
      return z.NEVER;
    }
    return ascii;
  });

/** Name one domain: `POST /domains/{domain}/challenge`, `/verify`, `GET` and `DELETE /domains/{domain}`, and their methods. */
export const domainRequest = z.strictObject({ domain: domainName });
