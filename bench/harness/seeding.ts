import { runScript } from './processes.js';

/**
 * Seeding processes: one per core of the 2-core machines the harness runs on. Redis runs the
 * save scripts one at a time, so more processes only contend for the same cores.
 */
const SEED_PROCESSES = 2;

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
