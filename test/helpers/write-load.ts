import { cardV1 } from './cards.js';
import type { RegistryProcess } from './processes.js';
import { sendJson } from './registry-server.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The status of an answer read to its end; 0 when none came (a load left running after a failed test meets a stopped process). */
async function statusOf(request: Promise<Response>): Promise<number> {
  try {
    const response = await request;
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

/**
 * What an API answered while its Redis failed over: the count of each status (0: no answer, the
 * connection failed), the slowest answer, and `/ready`'s answers.
 */
export interface WriteLoadSeen {
  statuses: Record<string, number>;
  slowestMs: number;
  readiness: number[];
}

/**
 * Registers new agents (`{idPrefix}{n}`, one every 50 ms) on `api`, and reads its `/ready` every
 * 100 ms, until stopped: what a fault test asserts of the answers during a failover.
 */
export function watchWrites(api: RegistryProcess, idPrefix: string): { stop: () => Promise<WriteLoadSeen> } {
  const statuses = new Map<number, number>();
  const readiness = new Set<number>();
  let slowestMs = 0;
  let stopped = false;
  let n = 0;
  const writes = (async () => {
    while (!stopped) {
      const started = Date.now();
      const status = await statusOf(sendJson(`${api.baseUrl}/agents/${idPrefix}${n++}`, 'PUT', { agent_card: cardV1({ name: `${idPrefix} ${n}` }) }));
      slowestMs = Math.max(slowestMs, Date.now() - started);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      await sleep(50);
    }
  })();
  const probes = (async () => {
    while (!stopped) {
      readiness.add(await statusOf(fetch(`${api.baseUrl}/ready`)));
      await sleep(100);
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await Promise.all([writes, probes]);
      return { statuses: Object.fromEntries(statuses), slowestMs, readiness: [...readiness].sort() };
    },
  };
}
