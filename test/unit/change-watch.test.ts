import { describe, expect, it } from 'vitest';
import { RegistryClient, RegistryError, type ChangeEvent } from '../../src/client/index.js';

const event = (cursor: string) => `id: ${cursor}\nevent: change\ndata: ${JSON.stringify({ cursor, agent_id: `agent-${cursor}`, kind: 'registered', revision: 1, at: '2026-01-01T00:00:00.000Z' })}\n\n`;

/** A stream that sends `text`, then stays open and silent until the request is aborted. */
function silentAfter(text: string, signal: AbortSignal | null | undefined): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text));
      signal?.addEventListener('abort', () => controller.error(signal.reason));
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
}

/** A stream that sends `text` and ends. */
const endingWith = (text: string) => new Response(text, { status: 200, headers: { 'content-type': 'text/event-stream' } });

const unavailable = () => new Response(JSON.stringify({ error: { code: 'unavailable', message: 'busy' } }), { status: 503, headers: { 'retry-after': '0' } });

async function take(events: AsyncIterable<ChangeEvent>, count: number): Promise<string[]> {
  const cursors: string[] = [];
  for await (const e of events) {
    cursors.push(e.cursor);
    if (cursors.length === count) break;
  }
  return cursors;
}

describe('RegistryClient.watch', () => {
  it('takes a stream silent for longer than idleTimeoutMs for dead, and resumes after its last event', async () => {
    const lastEventIds: (string | null)[] = [];
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const request = new Request(input, init);
      lastEventIds.push(request.headers.get('last-event-id'));
      return lastEventIds.length === 1 ? silentAfter(event('1'), init?.signal) : endingWith(event('2'));
    };
    const client = new RegistryClient({ baseUrl: 'http://registry.test', fetch, retryDelayMs: 1 });
    const started = Date.now();
    expect(await take(client.watch({ since: '0', idleTimeoutMs: 100 }), 2)).toEqual(['1', '2']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect(lastEventIds).toEqual(['0', '1']);
  });

  it('opens again a stream the registry ended, and retries a 503 on connecting', async () => {
    const answers = [() => endingWith(event('1')), unavailable, () => endingWith(event('2'))];
    const fetch: typeof globalThis.fetch = async () => (answers.shift() as () => Response)();
    const client = new RegistryClient({ baseUrl: 'http://registry.test', fetch, retryDelayMs: 1 });
    expect(await take(client.watch(), 2)).toEqual(['1', '2']);
  });

  it('gives up after `retries` failed connections in a row', async () => {
    let attempts = 0;
    const fetch: typeof globalThis.fetch = async () => {
      attempts++;
      throw new TypeError('fetch failed');
    };
    const client = new RegistryClient({ baseUrl: 'http://registry.test', fetch, retryDelayMs: 1, retries: 2 });
    const failure = await take(client.watch(), 1).then(() => undefined, (e: unknown) => e);
    expect(failure).toBeInstanceOf(RegistryError);
    expect(failure).toMatchObject({ status: 0, code: 'network_error' });
    expect(attempts).toBe(3);
  });

  it('ends without an error when aborted while waiting for events', async () => {
    const fetch: typeof globalThis.fetch = async (_input, init) => silentAfter(event('1'), init?.signal);
    const client = new RegistryClient({ baseUrl: 'http://registry.test', fetch });
    const abort = new AbortController();
    const seen: string[] = [];
    for await (const e of client.watch({ signal: abort.signal })) {
      seen.push(e.cursor);
      setTimeout(() => abort.abort(), 20);
    }
    expect(seen).toEqual(['1']);
  });
});
