/**
 * The change log's delivery lag: registrations sent to one replica at a steady rate, and the time
 * until each one's event reaches a Server-Sent Events client of another replica (from the
 * request's start, and from its answer). `npm run bench:changes -- [--rate 100] [--seconds 10]`.
 */
import { parseArgs } from 'node:util';
import { freePort, startRedisServer } from '../../scripts/local-redis.js';
import { startNodeProcess, type RunningProcess } from '../harness/processes.js';
import { benchCard } from '../scenarios.js';

const { values } = parseArgs({ options: { rate: { type: 'string', default: '100' }, seconds: { type: 'string', default: '10' } } });
const rate = Number(values.rate);
const seconds = Number(values.seconds);

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
const summary = (lags: number[]) => {
  const sorted = [...lags].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 50).toFixed(1)} ms, p95 ${percentile(sorted, 95).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, max ${sorted.at(-1)?.toFixed(1)} ms`;
};

/** Reads `data:` lines of a Server-Sent Events response and hands each event's JSON to `onEvent`. */
async function follow(url: string, signal: AbortSignal, onEvent: (event: { agent_id: string }) => void): Promise<void> {
  const res = await fetch(url, { signal, headers: { accept: 'text/event-stream' } });
  if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read().catch(() => ({ value: '', done: true }));
    if (done) return;
    buffer += value;
    const blocks = buffer.split('\n\n');
    buffer = blocks.pop() ?? '';
    for (const block of blocks) {
      const data = block.split('\n').find((line) => line.startsWith('data: '));
      if (data) onEvent(JSON.parse(data.slice(6)) as { agent_id: string });
    }
  }
}

async function main(): Promise<void> {
  const redis = await startRedisServer(await freePort());
  const replicas: RunningProcess[] = [];
  const abort = new AbortController();
  try {
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const env = { PORT: String(port), HOST: '127.0.0.1', REDIS_URL: redis.url, REDIS_PREFIX: 'bench:{lag}:', ROLE: 'api', LOG_LEVEL: 'warn' };
      replicas.push(await startNodeProcess('dist/main.js', [], port, env, '/ready'));
    }
    const [writer, reader] = replicas as [RunningProcess, RunningProcess];
    const sent = new Map<string, { start: number; answered?: number }>();
    const fromStart: number[] = [];
    const fromAnswer: number[] = [];
    const streaming = follow(`${reader.origin}/changes/stream?kind=registered&include_card=false`, abort.signal, (event) => {
      const at = performance.now();
      const request = sent.get(event.agent_id);
      if (!request) return;
      fromStart.push(at - request.start);
      if (request.answered !== undefined) fromAnswer.push(Math.max(0, at - request.answered));
      sent.delete(event.agent_id);
    }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));

    const total = rate * seconds;
    const began = performance.now();
    const writes: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = began + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const card = { ...benchCard(i), name: `Lag Agent ${i}` };
      const id = `lag-agent-${i}`;
      const request: { start: number; answered?: number } = { start: performance.now() };
      sent.set(id, request);
      writes.push(
        fetch(`${writer.origin}/agents`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ agent_card: card }) }).then(async (res) => {
          await res.arrayBuffer();
          if (res.status !== 201) throw new Error(`registration answered ${res.status}`);
          request.answered = performance.now();
        }),
      );
    }
    await Promise.all(writes);
    const deadline = performance.now() + 5000;
    while (sent.size > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    console.log(`${total} registrations on one replica at ${rate}/s; events on another replica's stream: ${fromStart.length}, missing ${sent.size}`);
    console.log(`  lag from the request's start: ${summary(fromStart)}`);
    console.log(`  lag from its answer:          ${summary(fromAnswer)}`);
    abort.abort();
    await streaming;
  } finally {
    abort.abort();
    for (const replica of replicas) await replica.stop();
    await redis.stop();
  }
}

await main();
