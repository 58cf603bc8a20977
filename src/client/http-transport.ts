import type { ErrorBody } from './wire-types.js';
import { RegistryError } from './registry-error.js';
import { isRetryable, parseRetryAfter, retryDelay, sleep, type CallKind, type RetryPolicy } from './retry-policy.js';

/** One call to the registry's REST API. */
export interface Call {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The path and query, such as `/agents/weather-agent`. */
  path: string;
  /** Sent as JSON; serialised once, so every retry sends the same bytes (the key's fingerprint covers them). */
  body?: unknown;
  headers?: Record<string, string>;
  kind: CallKind;
}

export interface TransportOptions extends RetryPolicy {
  baseUrl: string;
  /** Headers every request carries: credentials. */
  headers: Record<string, string>;
  timeoutMs: number;
  fetch: typeof fetch;
}

/** The error of an answer that is not 2xx: the registry's envelope when it sent one. */
export async function errorOf(res: Response): Promise<RegistryError> {
  const retryAfter = parseRetryAfter(res.headers.get('retry-after'));
  const text = await res.text().catch(() => '');
  let body: Partial<ErrorBody> | undefined;
  try {
    body = JSON.parse(text) as Partial<ErrorBody>;
  } catch {
    // Not the registry's JSON (a proxy's page): the status says what there is to say.
  }
  const error = body?.error;
  if (typeof error?.code !== 'string') {
    return new RegistryError(res.status, `http_${res.status}`, `HTTP ${res.status} ${res.statusText}`.trim(), [], retryAfter);
  }
  return new RegistryError(res.status, error.code, error.message ?? error.code, error.violations ?? [], retryAfter, error.details ?? {});
}

/** A failure that left no answer: the connection failed, or no answer came within the timeout. */
export function noAnswerError(cause: unknown, timeoutMs: number): RegistryError {
  const timedOut = cause instanceof Error && cause.name === 'TimeoutError';
  const message = timedOut ? `No answer within ${timeoutMs} ms` : `No answer from the registry: ${cause instanceof Error ? (cause.cause as Error | undefined)?.message ?? cause.message : String(cause)}`;
  return new RegistryError(0, timedOut ? 'timeout' : 'network_error', message, [], undefined, {}, { cause });
}

/** Sends calls to the registry, with a timeout per attempt and bounded retries. */
export class HttpTransport {
  constructor(private readonly options: TransportOptions) {}

  /** The JSON answer of a call, retried as its kind allows. */
  async call<T>(call: Call): Promise<T> {
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    const headers = { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...call.headers };
    for (let attempt = 0; ; attempt++) {
      let failure: RegistryError;
      try {
        const res = await this.send(call.path, { method: call.method, headers, ...(body !== undefined ? { body } : {}) }, AbortSignal.timeout(this.options.timeoutMs));
        // The body is read inside the attempt: a connection cut while it arrives is no answer either.
        if (res.ok) return (await res.json()) as T;
        failure = await errorOf(res);
      } catch (error) {
        failure = noAnswerError(error, this.options.timeoutMs);
      }
      if (attempt >= this.options.retries || !isRetryable(call.kind, failure)) throw failure;
      await sleep(retryDelay(this.options, attempt, failure.retryAfterSeconds));
    }
  }

  /** One request, as it comes back: for streams, which read the body themselves. */
  send(path: string, init: RequestInit, signal: AbortSignal): Promise<Response> {
    return this.options.fetch(`${this.options.baseUrl}${path}`, { ...init, headers: { ...this.options.headers, ...(init.headers as Record<string, string>) }, signal });
  }
}
