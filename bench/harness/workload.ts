import { writeFileSync } from 'node:fs';
import {
  agentIdOf,
  benchCard,
  isSearchScenario,
  listCursorAfter,
  SEARCH_SHAPES,
  searchQueryFor,
  searchShapeQuery,
  seededRandom,
  type ScenarioName,
  type SearchScenarioName,
} from '../scenarios.js';
import type { DriverRequest } from './load-driver.js';

/** Agents whose records the read scenarios ask for: a hot set, as real traffic has. */
export const HOT_AGENTS = 5000;
/** Distinct list pages and searches the read scenarios cycle through. */
const SAMPLED_QUERIES = 200;

/** The requests the read scenarios cycle through at one agent count. */
export interface Workload {
  hot: number[];
  listPaths: string[];
  /** Paths of the `search` scenario and of each search shape. */
  searchPaths: Record<SearchScenarioName, string[]>;
}

/** The same workload for the same agent count on every run; the search shapes draw after the others, which stay as they were. */
export function workload(agents: number): Workload {
  const random = seededRandom(agents);
  const pick = () => Math.floor(random() * agents);
  const sample = (path: () => string) => Array.from({ length: SAMPLED_QUERIES }, path);
  const hot = Array.from({ length: Math.min(agents, HOT_AGENTS) }, pick);
  const listPaths = sample(() => `/agents?limit=50&cursor=${listCursorAfter(pick())}`);
  const searchPaths = { search: sample(() => `/agents?${searchQueryFor(pick())}`) } as Workload['searchPaths'];
  for (const shape of SEARCH_SHAPES) searchPaths[shape] = sample(() => `/agents?${searchShapeQuery(shape, agents, random)}`);
  return { hot, listPaths, searchPaths };
}

/** Requests in flight while the fixtures are read: a few, so reading thousands of them takes seconds, not tens. */
const FIXTURE_READERS = 8;

/** The registry's own answers, for the baselines to serve byte for byte. */
export async function captureFixtures(origin: string, work: Workload, file: string): Promise<void> {
  const paths = new Set(['/health', ...work.hot.map((i) => `/agents/${agentIdOf(i)}`), ...work.listPaths, ...Object.values(work.searchPaths).flat()]);
  const bodies: Record<string, string> = {};
  const unread = paths.values();
  const read = async () => {
    for (const path of unread) bodies[path] = await (await fetch(`${origin}${path}`)).text();
  };
  await Promise.all(Array.from({ length: FIXTURE_READERS }, read));
  const probe = { agent_card: benchCard(1_000_000_000) };
  const registered = await (await fetch(`${origin}/agents`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(probe) })).text();
  const heartbeat = await (await fetch(`${origin}/agents/${agentIdOf(work.hot[0] ?? 0)}/heartbeat`, { method: 'POST' })).text();
  writeFileSync(file, JSON.stringify({ bodies, registered, heartbeat }));
}

/** The request generator of a scenario: each call answers the next request to send. */
export function requestsFor(scenario: ScenarioName, work: Workload, nextNewAgent: () => number): () => DriverRequest {
  const random = seededRandom(7);
  const any = <T>(items: T[]): T => items[Math.floor(random() * items.length)] as T;
  const get = (): DriverRequest => ({ method: 'GET', path: `/agents/${agentIdOf(any(work.hot))}` });
  const list = (): DriverRequest => ({ method: 'GET', path: any(work.listPaths) });
  const search = (): DriverRequest => ({ method: 'GET', path: any(work.searchPaths.search) });
  const heartbeat = (): DriverRequest => ({ method: 'POST', path: `/agents/${agentIdOf(any(work.hot))}/heartbeat`, body: '{}' });
  if (isSearchScenario(scenario)) return () => ({ method: 'GET', path: any(work.searchPaths[scenario]) });
  switch (scenario) {
    case 'register':
      return () => ({ method: 'POST', path: '/agents', body: JSON.stringify({ agent_card: benchCard(nextNewAgent()) }) });
    case 'get':
      return get;
    case 'list':
      return list;
    case 'health':
      return () => ({ method: 'GET', path: '/health' });
    case 'heartbeat':
      return heartbeat;
    case 'mixed':
      return () => {
        const roll = random();
        return roll < 0.8 ? get() : roll < 0.9 ? search() : roll < 0.95 ? list() : heartbeat();
      };
  }
}
