import { smallBenchCard } from '../scenarios.js';
import { deleteKeys, usedMemory } from './redis-admin.js';
import type { SizeReport } from './results.js';
import { meanCardJsonBytes, seedThroughStore } from './seeding.js';

/**
 * Redis memory per agent of a catalogue of ~650-byte cards: seeded through the store under a key
 * prefix of their own into the Redis that holds the run's largest catalogue, measured by the
 * growth of `used_memory`, then deleted again so the run goes on with its own agents only.
 */
export async function measureSmallCards(redisUrl: string, prefix: string, agents: number): Promise<SizeReport> {
  const before = await usedMemory(redisUrl);
  const seedSeconds = await seedThroughStore(redisUrl, prefix, agents, 'small');
  const memoryPerAgentBytes = ((await usedMemory(redisUrl)) - before) / agents;
  await deleteKeys(redisUrl, prefix);
  const report = { agents, memoryPerAgentBytes, cardJsonBytes: meanCardJsonBytes(smallBenchCard, agents), seedSeconds };
  process.stderr.write(`small cards: seeded ${agents} agents in ${seedSeconds.toFixed(1)} s, ${memoryPerAgentBytes.toFixed(0)} B per agent in Redis\n`);
  return report;
}
