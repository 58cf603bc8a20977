import { check } from 'k6';
import http from 'k6/http';
import type { Options } from 'k6/options';
import { agentIdOf, benchCard, k6AuthHeaders, k6Thresholds, SCENARIOS, type ScenarioName } from '../scenarios.ts';

/** Where the registry under test listens: `k6 run -e BASE_URL=http://host:8000 ...`. */
export const BASE_URL: string = (__ENV.BASE_URL ?? 'http://localhost:8000').replace(/\/+$/, '');
/** How many agents setup() registers before the run. */
export const AGENTS: number = Number(__ENV.AGENTS ?? 1000);

/** Credentials sent with every request: `-e API_KEY=...` or `-e BEARER_TOKEN=...` (none on loopback). */
export const AUTH_HEADERS: Record<string, string> = k6AuthHeaders(__ENV);
const JSON_HEADERS = { headers: { ...AUTH_HEADERS, 'Content-Type': 'application/json' } };

/**
 * Offered load, in iterations (requests) per second, of a scenario with a p95 target when neither
 * `-e RATE=...` nor the scenario's reference figure gives one: 1,000 req/s.
 */
export const DEFAULT_ARRIVAL_RATE = 1000;

/**
 * The constant arrival rate of a scenario with a p95 target: `-e RATE=...` (rounded to a whole
 * number, as k6 wants), else the earlier registry's published req/s for the operation, else
 * {@link DEFAULT_ARRIVAL_RATE}. To judge as the local harness does, pass LATENCY_LOAD_SHARE
 * (bench/scenarios.ts) × the req/s a minimal Express app reaches in a closed loop on that machine.
 */
export function arrivalRate(name: ScenarioName): number {
  const rate = Math.round(Number(__ENV.RATE ?? SCENARIOS[name].reference?.rps ?? DEFAULT_ARRIVAL_RATE));
  if (!(rate >= 1)) throw new Error(`RATE must be a number of requests per second of at least 1, got ${__ENV.RATE}`);
  return rate;
}

/**
 * k6 options of a scenario, with its thresholds from the shared targets. A scenario with a p95
 * target runs in the open model its target is stated for: a `constant-arrival-rate` executor at
 * {@link arrivalRate} with the scenario's connections as (pre-allocated and most) virtual users, so
 * latency is measured at a fixed offered load instead of being connections / throughput. The
 * others run their connections as constant virtual users (closed loop).
 */
export function optionsFor(name: ScenarioName): Options {
  const { connections, targets } = SCENARIOS[name];
  const duration = __ENV.DURATION ?? '30s';
  const thresholds = k6Thresholds(name, __ENV);
  if (targets.maxP95Ms === undefined) return { vus: connections, duration, thresholds };
  return {
    scenarios: {
      [name]: {
        executor: 'constant-arrival-rate',
        rate: arrivalRate(name),
        timeUnit: '1s',
        duration,
        preAllocatedVUs: connections,
        maxVUs: connections,
      },
    },
    thresholds,
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

/** GET of a path of the registry with the credentials, tagged with `name` for k6's per-request metrics. */
export function get(path: string, name: string) {
  return http.get(`${BASE_URL}${path}`, { headers: AUTH_HEADERS, tags: { name } });
}

export function getAgent(): void {
  const response = get(`/agents/${agentIdOf(randomIndex())}`, 'GET /agents/{id}');
  check(response, { 'get 200': (r) => r.status === 200 });
}

export function postJson(path: string, body: unknown, name: string) {
  return http.post(`${BASE_URL}${path}`, JSON.stringify(body), { ...JSON_HEADERS, tags: { name } });
}
