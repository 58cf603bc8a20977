import type { Json, Violation } from './wire-types.js';

/**
 * Every failure of a registry call: an error answer of the registry (its status and stable code,
 * such as 404 `agent_not_found` or 410 `changes_gone`), or no answer at all (status 0, code
 * `network_error` or `timeout`) once the retries are spent.
 */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';

  constructor(
    /** The HTTP status; 0 when no answer came. */
    readonly status: number,
    /** The registry's stable error code. */
    readonly code: string,
    message: string,
    /** Each refused field, for 400s. */
    readonly violations: readonly Violation[] = [],
    /** How long the registry asked the client to wait (`Retry-After`), for 429 and 503. */
    readonly retryAfterSeconds?: number,
    /** More about the error, such as the `domain` of `domain_owned`. */
    readonly details: Readonly<Record<string, Json>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
