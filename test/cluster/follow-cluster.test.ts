import { afterAll, describe, expect, it } from 'vitest';
import { rawJsonElements } from '../../src/http/raw-json.js';
import { cardV1 } from '../helpers/cards.js';
import { killLeftoverProcesses, spawnRegistryProcess, startRegistryProcess, waitFor, type RegistryProcess, type StartOptions } from '../helpers/processes.js';
import { connect, deleteKeys, redisUrl, uniquePrefix } from '../helpers/redis.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Body = Record<string, any>;

/** How long the mirror may take to converge once the writes stop: the retry waits are 1 s at most here. */
const CONVERGE_MS = 30_000;

/** Every agent a registry lists, inactive ones too: id, revision, status and the card's exact text. */
async function listing(base: string): Promise<string[]> {
  const rows: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const res = await fetch(`${base}/agents?include_inactive=true&limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    if (res.status !== 200) throw new Error(`GET /agents on ${base}: ${res.status}`);
    const text = await res.text();
    const body = JSON.parse(text) as Body;
    const cards = rawJsonElements(text, ['agents']) as string[];
    body.results.forEach((r: Body, i: number) => rows.push(`${r.agent_id} ${r.revision} ${r.status} ${cards[i]}`));
    cursor = body.next_cursor ?? undefined;
    if (!cursor) return rows.sort();
  }
  throw new Error('too many pages');
}

/** Starts a process on `port` (the source keeps its URL across restarts) and waits until it is ready. */
async function startOn(options: StartOptions, port: number): Promise<RegistryProcess> {
  const proc = await spawnRegistryProcess(options, port);
  await waitFor(`${options.role} on ${port} ready`, 15_000, async () => {
    if (proc.hasExited()) throw new Error(`exited before it was ready\n${proc.output()}`);
    const res = await fetch(`${proc.baseUrl}/ready`).catch(() => undefined);
    await res?.arrayBuffer();
    return res?.status === 200;
  });
  return proc;
}

describe('a mirror process and its source process, both killed and restarted while writes go on', () => {
  const redis = connect();
  const sourcePrefix = uniquePrefix();
  const mirrorPrefix = uniquePrefix();

  afterAll(async () => {
    await killLeftoverProcesses();
    await deleteKeys(redis, sourcePrefix);
    await deleteKeys(redis, mirrorPrefix);
    redis.disconnect();
  });

  it('converge to the same agents, revisions and card bytes', async () => {
    const sourceOptions: StartOptions = { role: 'all', redisUrl: redisUrl(), redisPrefix: sourcePrefix };
    let source = await startRegistryProcess(sourceOptions);
    const port = source.port;
    const mirrorOptions: StartOptions = {
      role: 'all',
      redisUrl: redisUrl(),
      redisPrefix: mirrorPrefix,
      env: { FOLLOW_URL: source.baseUrl, FOLLOW_POLL_SECONDS: '1', FOLLOW_RETRY_MAX_SECONDS: '1' },
    };
    let mirror = await startRegistryProcess(mirrorOptions);

    // The writer: PUTs and DELETEs over 25 agents, one every 15 ms, until told to stop; the writes
    // the source misses while it is down are simply failed.
    let writing = true;
    let done = 0;
    let failed = 0;
    const writer = (async () => {
      for (let i = 0; writing && i < 100_000; i++) {
        const id = `agent-${i % 25}`;
        const remove = i % 9 === 0;
        try {
          const res = remove
            ? await fetch(`${source.baseUrl}/agents/${id}`, { method: 'DELETE' })
            : await fetch(`${source.baseUrl}/agents/${id}`, {
                method: 'PUT',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ agent_card: cardV1({ name: id, description: `write ${i}` }) }),
              });
          await res.arrayBuffer();
          if (res.ok) done++;
        } catch {
          failed++;
        }
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
    })();

    const mirrorWrites = async (at: number) => waitFor(`the mirror applied writes past ${at}`, CONVERGE_MS, async () => {
      const text = await (await fetch(`${mirror.baseUrl}/metrics`)).text();
      return Number(/^a2a_follow_events_applied_total (\S+)$/m.exec(text)?.[1] ?? 0) > at;
    });

    await new Promise((resolve) => setTimeout(resolve, 1500));
    await mirrorWrites(0);
    // The mirror dies without a word, and comes back.
    await mirror.kill();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    mirror = await startRegistryProcess(mirrorOptions);
    await mirrorWrites(0);
    // The source dies, stays away a while (the mirror retries), and comes back at the same URL.
    await source.kill();
    await waitFor('the mirror to see its source down', 10_000, async () => {
      const ready = (await (await fetch(`${mirror.baseUrl}/ready`)).json()) as Body;
      return ready.mirror?.sourceUp === false;
    });
    source = await startOn(sourceOptions, port);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // And the mirror once more, this time stopped gracefully.
    await mirror.stop();
    mirror = await startRegistryProcess(mirrorOptions);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    writing = false;
    await writer;
    expect(done).toBeGreaterThan(100);

    const want = await listing(source.baseUrl);
    expect(want.length).toBeGreaterThan(0);
    let got: string[] = [];
    await waitFor('the mirror to list what the source lists', CONVERGE_MS, async () => {
      got = await listing(mirror.baseUrl);
      return JSON.stringify(got) === JSON.stringify(want);
    }).catch(() => undefined);
    expect(got).toEqual(want);
    // One warning for the source's outage, not one per try.
    const warnings = mirror.logs().filter((e) => e.msg.startsWith('The source does not answer'));
    expect(warnings.length).toBeLessThanOrEqual(1);
    expect(failed + done).toBeGreaterThan(0);
  }, 120_000);
});
