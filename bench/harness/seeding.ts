import { benchCard } from '../scenarios.js';
import { drive } from './load-driver.js';
import { runScript } from './processes.js';

/**
 * Seeding processes: one per core of the 2-core machines the harness runs on. Redis runs the
 * save scripts one at a time, so more processes only contend for the same cores.
 */
const SEED_PROCESSES = 2;

/** Connections of seeding over HTTP. */
const SEED_CONNECTIONS = 64;
/** Cards whose JSON is measured for a catalogue's mean card size. */
const CARDS_MEASURED = 1000;

/** Which cards {@link seedThroughStore} saves: the bench cards, or the ~650-byte ones. */
export type SeedCards = 'bench' | 'small';

/**
 * Saves cards 0..count-1 into Redis under `prefix` through the registry's service and store
 * (bench/harness/seed-worker.ts), in {@link SEED_PROCESSES} processes of a contiguous slice each.
 * Answers the seconds it took.
 */
export async function seedThroughStore(redisUrl: string, prefix: string, count: number, cards: SeedCards = 'bench'): Promise<number> {
  const started = performance.now();
  const slice = Math.ceil(count / SEED_PROCESSES);
  const slices = Array.from({ length: SEED_PROCESSES }, (_, i) => [i * slice, Math.min(count, (i + 1) * slice)] as const).filter(([from, to]) => from < to);
  await Promise.all(slices.map(([from, to]) => runScript('bench/harness/seed-worker.ts', [redisUrl, prefix, cards, String(from), String(to)])));
  return (performance.now() - started) / 1000;
}

/** Registers agents 0..count-1 through the API, as clients would. Answers the seconds it took. */
export async function seedThroughHttp(origin: string, count: number): Promise<number> {
  const started = performance.now();
  let next = 0;
  const result = await drive({
    origin,
    connections: SEED_CONNECTIONS,
    durationMs: Number.MAX_SAFE_INTEGER,
    next: () => ({ method: 'POST', path: '/agents', body: JSON.stringify({ agent_card: benchCard(next++) }) }),
    stopAfter: count,
  });
  if (result.errors > 0) throw new Error(`Seeding failed for ${result.errors} of ${count} agents`);
  return (performance.now() - started) / 1000;
}

/** The mean length of the JSON of the first cards of a catalogue of `agents` (at most {@link CARDS_MEASURED}). */
export function meanCardJsonBytes(cardOf: (index: number) => unknown, agents: number): number {
  const count = Math.min(agents, CARDS_MEASURED);
  let bytes = 0;
  for (let index = 0; index < count; index++) bytes += JSON.stringify(cardOf(index)).length;
  return bytes / count;
}
