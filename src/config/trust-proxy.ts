import { isIP } from 'node:net';
import { z } from 'zod';

/** The names of address ranges Express's `trust proxy` (proxy-addr) knows. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Whether `entry` is an address, a named range, or a subnet (`10.0.0.0/8`, `10.0.0.0/255.0.0.0`, `fd00::/8`). */
function isTrustedProxyEntry(entry: string): boolean {
  if (NAMED_RANGES.has(entry) || isIP(entry) !== 0) return true;
  const [address = '', mask, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || mask === undefined || rest.length > 0) return false;
  if (/^\d+$/.test(mask)) return Number(mask) <= (family === 4 ? 32 : 128);
  return family === 4 && isIP(mask) === 4;
}

/**
 * `TRUST_PROXY`: `true`, `false`, a hop count, or comma-separated addresses, subnets and the named
 * ranges `loopback`, `linklocal`, `uniquelocal`. Anything else is a configuration error here,
 * not an exception when Express first compiles it.
 */
export const trustProxySchema = z.string().transform((value, ctx): boolean | number | string => {
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^\d+$/.test(value)) return Number(value);
  const bad = value.split(',').map((entry) => entry.trim()).filter((entry) => !isTrustedProxyEntry(entry));
  if (bad.length === 0) return value;
  ctx.addIssue({ code: 'custom', message: `expected true, false, a hop count, or addresses/subnets such as loopback, 10.0.0.0/8 (not ${bad.map((entry) => JSON.stringify(entry)).join(', ')})` });
  return z.NEVER;
});
