/**
 * The benchmark scenarios and their targets, shared by the k6 scripts (bench/k6) and the local
 * harness (bench/harness), so the two can never drift apart. Plain JavaScript semantics only:
 * k6 runs this file too, so nothing here may import Node modules.
 */

export type ScenarioName = 'register' | 'get' | 'list' | 'search' | 'health' | 'heartbeat' | 'mixed';

/** What the earlier Python registry published for the operation (its own machine, its own method). */
export interface ReferenceFigure {
  rps: number;
  p95Ms: number;
}

export interface ScenarioTargets {
  /** Least throughput, as a share of the minimal Express baseline serving the same bytes. */
  minRpsRatioToExpress?: number;
  /** Largest p99, as a multiple of the Express baseline's p99. */
  maxP99RatioToExpress?: number;
  /**
   * Largest p95 latency in milliseconds, judged in an open model: requests offered at a constant
   * rate of {@link LATENCY_LOAD_SHARE} × the Express baseline's closed-loop req/s for the same
   * scenario and agent count, at most {@link Scenario.connections} in flight, each request's latency
   * counted from the time it was due (so queueing counts). Not judged in the closed loop, where
   * p95 is connections / throughput and only measures throughput again.
   */
  maxP95Ms?: number;
  /** Largest p95 at the largest agent count, as a multiple of the p95 at the smallest. */
  maxGrowthP95?: number;
}

export interface Scenario {
  name: ScenarioName;
  description: string;
  /** Concurrent connections (k6: virtual users) the targets are stated for. */
  connections: number;
  targets: ScenarioTargets;
  reference?: ReferenceFigure;
}

export const SCENARIOS: Record<ScenarioName, Scenario> = {
  register: {
    name: 'register',
    description: 'POST /agents with a new card each time',
    connections: 32,
    targets: { minRpsRatioToExpress: 0.3, maxP95Ms: 10 },
    reference: { rps: 5000, p95Ms: 2 },
  },
  get: {
    name: 'get',
    description: 'GET /agents/{id} of a random registered agent, caches warm',
    connections: 32,
    targets: { minRpsRatioToExpress: 0.8, maxP99RatioToExpress: 2, maxGrowthP95: 1.5 },
    reference: { rps: 10000, p95Ms: 1 },
  },
  list: {
    name: 'list',
    description: 'GET /agents?limit=50 from a random cursor',
    connections: 32,
    targets: { maxP95Ms: 10 },
    reference: { rps: 1000, p95Ms: 10 },
  },
  search: {
    name: 'search',
    description: 'GET /agents with a skill, a tag and a text term that match some agents',
    connections: 32,
    targets: { minRpsRatioToExpress: 0.3, maxP95Ms: 10, maxGrowthP95: 1.5 },
    reference: { rps: 500, p95Ms: 20 },
  },
  health: {
    name: 'health',
    description: 'GET /health',
    connections: 32,
    targets: { minRpsRatioToExpress: 0.9 },
    reference: { rps: 20000, p95Ms: 0.5 },
  },
  heartbeat: {
    name: 'heartbeat',
    description: 'POST /agents/{id}/heartbeat of a random registered agent',
    connections: 32,
    targets: { maxP95Ms: 10 },
  },
  mixed: {
    name: 'mixed',
    description: 'Read-heavy mix: 80% get, 10% search, 5% list, 5% heartbeat',
    connections: 32,
    targets: { maxP95Ms: 10 },
  },
};

/**
 * The offered load at which the `maxP95Ms` targets are judged, as a share of the Express
 * baseline's closed-loop req/s for the same scenario and agent count. 0.3 is the lowest throughput
 * ratio to Express the targets ask of any operation (`minRpsRatioToExpress` of register and
 * search), so the statement is: at the throughput the registry promises, p95 stays within the limit.
 */
export const LATENCY_LOAD_SHARE = 0.3;

/** Registry-wide bound: Redis memory per agent over the card's JSON size. */
export const MAX_MEMORY_PER_AGENT_RATIO = 3;

/**
 * k6 thresholds from the absolute targets (ratios need the baselines, which only the harness runs).
 * A `maxP95Ms` scenario runs at a constant arrival rate (bench/k6/common.ts), where k6 drops an
 * iteration that finds no free virtual user and so measures no latency for it: no iteration may be
 * dropped, or the p95 would leave out exactly the requests that waited.
 */
export function k6Thresholds(name: ScenarioName): Record<string, string[]> {
  const { maxP95Ms } = SCENARIOS[name].targets;
  return {
    checks: ['rate>0.99'],
    http_req_failed: ['rate<0.01'],
    ...(maxP95Ms !== undefined ? { http_req_duration: [`p(95)<${maxP95Ms}`], dropped_iterations: ['count<1'] } : {}),
  };
}

/** A small, fast, seeded random generator (mulberry32), so runs and k6 seeding are reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'weather forecast translate language document summary invoice payment travel booking flight hotel ' +
  'calendar meeting schedule email draft review code repository test deploy monitor alert incident ' +
  'database query report chart analytics sales lead customer support ticket refund order shipping ' +
  'inventory warehouse recipe nutrition fitness health symptom insurance claim legal contract policy ' +
  'compliance audit security scan vulnerability image photo video audio transcript speech music ' +
  'playlist news article research paper citation patent market stock crypto budget expense tax ' +
  'payroll hiring resume interview onboarding training course quiz tutor math physics chemistry ' +
  'biology astronomy map route traffic parking energy solar grid sensor device robot drone'
).split(' ');
const MODES = ['text/plain', 'application/json', 'image/png', 'audio/mpeg', 'application/pdf', 'text/html'];
const BINDINGS = ['JSONRPC', 'GRPC', 'HTTP+JSON'];
const ORGS = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark', 'Wayne', 'Tyrell', 'Cyberdyne', 'Soylent'];

/** Picks with a skew towards the front of the list, as real vocabularies are skewed. */
function skewedPick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() ** 2 * items.length)] as T;
}

function sentence(random: () => number, words: number): string {
  return Array.from({ length: words }, () => skewedPick(random, WORDS)).join(' ');
}

/** The id the registry derives from the name of card `index`. */
export const agentIdOf = (index: number): string => `bench-agent-${index}`;

/** A realistic A2A 1.0 card, the same for the same index on every run. */
export function benchCard(index: number): Record<string, unknown> {
  const random = seededRandom(index + 1);
  const skillCount = 1 + Math.floor(random() * 4);
  const skills = Array.from({ length: skillCount }, (_, s) => {
    const topic = skewedPick(random, WORDS);
    return {
      id: `${topic}-${Math.floor(random() * 50)}`,
      name: `${topic} ${skewedPick(random, WORDS)}`,
      description: sentence(random, 8 + Math.floor(random() * 12)),
      tags: Array.from({ length: 2 + Math.floor(random() * 3) }, () => skewedPick(random, WORDS)),
      examples: [sentence(random, 6)],
      ...(s === 0 ? { outputModes: [skewedPick(random, MODES)] } : {}),
    };
  });
  const host = `agent-${index}.bench.example.com`;
  return {
    name: agentIdOf(index),
    description: sentence(random, 15 + Math.floor(random() * 20)),
    version: `1.${Math.floor(random() * 10)}.0`,
    supportedInterfaces: [{ url: `https://${host}/a2a`, protocolBinding: skewedPick(random, BINDINGS), protocolVersion: '1.0' }],
    provider: { organization: skewedPick(random, ORGS), url: `https://${host}` },
    capabilities: { streaming: random() < 0.5, pushNotifications: random() < 0.3 },
    defaultInputModes: [skewedPick(random, MODES), 'text/plain'],
    defaultOutputModes: [skewedPick(random, MODES)],
    skills,
  };
}

/** A search that card `index` satisfies: one of its skills, one of that skill's tags and a word of its text. */
export function searchQueryFor(index: number): string {
  const card = benchCard(index) as { description: string; skills: { id: string; tags: string[] }[] };
  const skill = card.skills[0] as { id: string; tags: string[] };
  const word = card.description.split(' ')[0] as string;
  return `skill=${encodeURIComponent(skill.id)}&tag=${encodeURIComponent(skill.tags[0] as string)}&q=${encodeURIComponent(word)}&limit=20`;
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Unpadded base64url of ASCII text; written out because k6 has neither Buffer nor btoa. */
function base64url(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i += 3) {
    const [a, b, c] = [text.charCodeAt(i), text.charCodeAt(i + 1), text.charCodeAt(i + 2)];
    const bits = (a << 16) | ((b || 0) << 8) | (c || 0);
    const chars = i + 2 < text.length ? 4 : i + 1 < text.length ? 3 : 2;
    for (let k = 0; k < chars; k++) out += BASE64URL[(bits >> (18 - 6 * k)) & 63];
  }
  return out;
}

/** The opaque list cursor that starts a page after agent `index` (base64url of `0:id`). */
export function listCursorAfter(index: number): string {
  return base64url(`0:${agentIdOf(index)}`);
}
