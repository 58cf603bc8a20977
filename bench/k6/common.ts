import { check } from 'k6';
import http from 'k6/http';
import { agentIdOf, benchCard, k6Thresholds, SCENARIOS, type ScenarioName } from '../scenarios.ts';

/** Where the registry under test listens: `k6 run -e BASE_URL=http://host:8000 ...`. */
export const BASE_URL: string = (__ENV.BASE_URL ?? 'http://localhost:8000').replace(/\/+$/, '');
/** How many agents setup() registers before the run. */
export const AGENTS: number = Number(__ENV.AGENTS ?? 1000);

const JSON_HEADERS = { headers: { 'Content-Type': 'application/json' } };

/** k6 options of a scenario: its connections as virtual users, its thresholds from the shared targets. */
export function optionsFor(name: ScenarioName) {
  return {
    vus: SCENARIOS[name].connections,
    duration: __ENV.DURATION ?? '30s',
    thresholds: k6Thresholds(name),
  };
}

/** Registers the seeded cards in batches (the same cards the local harness seeds). */
export function seedAgents(count = AGENTS): void {
  const batchSize = 50;
  for (let start = 0; start < count; start += batchSize) {
    const requests = [];
    for (let index = start; index < Math.min(count, start + batchSize); index++) {
      requests.push({ method: 'POST', url: `${BASE_URL}/agents`, body: JSON.stringify({ agent_card: benchCard(index) }), params: JSON_HEADERS });
    }
    const responses = http.batch(requests);
    for (const response of responses) check(response, { 'seeded': (r) => r.status === 200 || r.status === 201 });
  }
}

export const randomIndex = (): number => Math.floor(Math.random() * AGENTS);

export function getAgent(): void {
  const response = http.get(`${BASE_URL}/agents/${agentIdOf(randomIndex())}`, { tags: { name: 'GET /agents/{id}' } });
  check(response, { 'get 200': (r) => r.status === 200 });
}

export function postJson(path: string, body: unknown, name: string) {
  return http.post(`${BASE_URL}${path}`, JSON.stringify(body), { ...JSON_HEADERS, tags: { name } });
}
