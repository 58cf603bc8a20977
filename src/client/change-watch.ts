import { errorOf, noAnswerError, type HttpTransport } from './http-transport.js';
import { RegistryError } from './registry-error.js';
import { isRetryable, retryDelay, sleep, type RetryPolicy } from './retry-policy.js';
import { sseEvents } from './sse-events.js';
import { changeParameters, queryString, type ChangesQuery } from './client-requests.js';
import type { ChangeEvent } from './wire-types.js';

/** How to follow the change stream. */
export interface WatchOptions extends Omit<ChangesQuery, 'limit'> {
  /** Ends the watch: the iteration then finishes without an error. @defaultValue none: it runs until the registry refuses it */
  signal?: AbortSignal;
  /**
   * How long a connection may stay silent, in ms, before it is taken for dead and opened again. The
   * registry sends a comment line every `CHANGE_STREAM_HEARTBEAT_SECONDS` (15 by default) on an idle
   * stream. @defaultValue 45000
   */
  idleTimeoutMs?: number;
}

export interface WatchSettings extends RetryPolicy {
  /** How long opening a connection may take. */
  timeoutMs: number;
}

/**
 * The change stream as events, reconnecting after a dropped connection with `Last-Event-ID` set to
 * the last event received, so that each event is seen once. A registry error (such as 410
 * `changes_gone` when the cursor's events are no longer kept) ends it with a RegistryError; so do
 * `retries` failed connections in a row.
 */
export async function* watchChanges(transport: HttpTransport, settings: WatchSettings, options: WatchOptions): AsyncGenerator<ChangeEvent> {
  const { signal, idleTimeoutMs = 45_000 } = options;
  const path = `/changes/stream${queryString(changeParameters(options))}`;
  let cursor = options.since;
  let failures = 0;
  while (!signal?.aborted) {
    const connection = new AbortController();
    const stop = () => connection.abort(signal?.reason);
    signal?.addEventListener('abort', stop, { once: true });
    let failure: RegistryError | undefined;
    try {
      const connectTimeout = setTimeout(() => connection.abort(new DOMException('connect timeout', 'TimeoutError')), settings.timeoutMs);
      const headers: Record<string, string> = { accept: 'text/event-stream', ...(cursor !== undefined ? { 'last-event-id': cursor } : {}) };
      const res = await transport.send(path, { method: 'GET', headers }, connection.signal).finally(() => clearTimeout(connectTimeout));
      if (!res.ok || !res.body) {
        failure = res.ok ? new RegistryError(res.status, 'empty_stream', 'The change stream answered no body') : await errorOf(res);
      } else {
        failures = 0;
        let idle: NodeJS.Timeout | undefined;
        const alive = () => {
          clearTimeout(idle);
          idle = setTimeout(() => connection.abort(new DOMException('idle stream', 'TimeoutError')), idleTimeoutMs);
        };
        alive();
        try {
          for await (const event of sseEvents(res.body, alive)) {
            // `event: error` ends a stream the registry could not go on with; the reconnection is told why.
            if (event.event !== 'change') continue;
            const change = JSON.parse(event.data) as ChangeEvent;
            cursor = event.id ?? change.cursor;
            yield change;
          }
        } finally {
          clearTimeout(idle);
        }
      }
    } catch (error) {
      if (signal?.aborted) return;
      failure = noAnswerError(error, settings.timeoutMs);
    } finally {
      signal?.removeEventListener('abort', stop);
      connection.abort();
    }
    if (failure && (!isRetryable('read', failure) || failures >= settings.retries)) throw failure;
    // A stream that ended cleanly (the registry ends them when it shuts down) is opened again after the first backoff.
    const wait = failure ? retryDelay(settings, failures++, failure.retryAfterSeconds) : retryDelay(settings, 0);
    await sleep(wait, signal).catch(() => {});
  }
}
