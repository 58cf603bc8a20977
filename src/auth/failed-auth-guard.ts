import { TooManyRequestsError } from '../errors.js';
import { OrderedMap } from '../ordered-map.js';
import type { RateLimiter } from '../rate-limit/rate-limiter.js';

/** Most client addresses one replica remembers as shut out; past it the oldest are forgotten. */
const MAX_SHUT_OUT = 10_000;

/**
 * Slows down guessing credentials: each client address may fail authentication `limit` times a
 * window (counted in the shared limiter, so across every replica), then gets 429 until the window
 * ends, whatever credentials it sends. A replica remembers the addresses it shut out, so checking
 * costs a successful request nothing: only a failure is counted, and once shut out an address's
 * credentials are not even checked, so a right guess cannot be told from a wrong one.
 */
export class FailedAuthGuard {
  /** Address → when its window ends (Unix ms). */
  private readonly shutOut = new OrderedMap<string, number>();

  constructor(
    private readonly limiter: RateLimiter,
    /** Failures per window and address. */
    private readonly limit: number,
  ) {}

  /** Throws 429 when `address` is shut out on this replica. */
  assertAllowed(address: string): void {
    const until = this.shutOut.get(address);
    if (until === undefined) return;
    const now = Date.now();
    if (until > now) throw this.refusal(Math.ceil((until - now) / 1000));
    this.shutOut.delete(address);
  }

  /** Counts a failed authentication of `address`; throws 429 instead of its 401 once past the limit. */
  async failed(address: string): Promise<void> {
    const decision = await this.limiter.consume(`ip:${address}`, 'failedAuth');
    if (decision.allowed) return;
    this.shutOut.set(address, Date.now() + decision.resetSeconds * 1000);
    this.shutOut.trimTo(MAX_SHUT_OUT);
    throw this.refusal(decision.resetSeconds);
  }

  private refusal(retryAfterSeconds: number): TooManyRequestsError {
    return new TooManyRequestsError(
      `Too many failed authentications from this address; retry in ${retryAfterSeconds} s`,
      retryAfterSeconds,
      { 'RateLimit-Limit': String(this.limit), 'RateLimit-Remaining': '0', 'RateLimit-Reset': String(retryAfterSeconds) },
    );
  }
}
