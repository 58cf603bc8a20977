import { RegistryError } from './registry-error.js';

/**
 * How a call is retried. A write carries an idempotency key, so that any retry (after no answer, a
 * 503 or a 429) gets the outcome of the first attempt that was applied, never a second write. A
 * read is retried after no answer or a 503; its 429 is left to the caller, who knows its budget.
 */
export type CallKind = 'read' | 'write';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  /** The first backoff, doubled at each retry. */
  retryDelayMs: number;
  /** The longest wait before a retry, `Retry-After` included. */
  maxRetryDelayMs: number;
}

/** Whether an error answer is worth another attempt of a call of this kind. */
export function isRetryable(kind: CallKind, error: RegistryError): boolean {
  if (error.status === 0 || error.status === 503) return true;
  return kind === 'write' && error.status === 429;
}

/**
 * How long to wait before retry number `attempt` (0 for the first): what `Retry-After` asked for,
 * else an exponential backoff with jitter (so that many clients cut off at once do not return at
 * once), never more than `maxRetryDelayMs`.
 */
export function retryDelay(policy: RetryPolicy, attempt: number, retryAfterSeconds?: number): number {
  if (retryAfterSeconds !== undefined) return Math.min(retryAfterSeconds * 1000, policy.maxRetryDelayMs);
  const backoff = Math.min(policy.retryDelayMs * 2 ** attempt, policy.maxRetryDelayMs);
  return backoff / 2 + Math.random() * (backoff / 2);
}

/** Resolves after `ms`, or rejects when `signal` aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** `Retry-After` in seconds: a number of seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}
