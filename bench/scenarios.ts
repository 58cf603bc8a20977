/**
 * The benchmark scenarios and their targets, shared by the k6 scripts (bench/k6) and the local
 * harness (bench/harness), so the two can never drift apart. Plain JavaScript semantics only:
 * k6 runs this file too, so nothing here may import Node modules.
 */

/** Searches of one shape each, from the broadest to the rarest, to show that a page costs about a page whatever it matches. */
export type SearchShapeName =
  | 'search-all'
  | 'search-tenth'
  | 'search-word-all'
  | 'search-two-broad'
  | 'search-broad-rare-word'
  | 'search-rare-skill';

/** Every search shape, broadest first. */
export const SEARCH_SHAPES: readonly SearchShapeName[] = [
  'search-all',
  'search-tenth',
  'search-word-all',
  'search-two-broad',
  'search-broad-rare-word',
  'search-rare-skill',
];

/** The scenarios that search: the original one and the search shapes. */
export type SearchScenarioName = 'search' | SearchShapeName;

export type ScenarioName = 'register' | 'get' | 'list' | 'search' | 'health' | 'heartbeat' | 'mixed' | SearchShapeName;

/** Whether a scenario searches. */
export const isSearchScenario = (scenario: ScenarioName): scenario is SearchScenarioName =>
  scenario === 'search' || (SEARCH_SHAPES as readonly ScenarioName[]).includes(scenario);

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
  /** Largest p99 in milliseconds in the closed loop, at the scenario's {@link Scenario.connections}. */
  maxP99Ms?: number;
}

export interface Scenario {
  name: ScenarioName;
  description: string;
  /** Concurrent connections (k6: virtual users) the targets are stated for. */
  connections: number;
  targets: ScenarioTargets;
  reference?: ReferenceFigure;
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

/** How many skills a bench card has at most, and how many numbers end its skill ids (`weather-12`). */
const MAX_SKILLS = 4;
const SKILL_NUMBERS = 50;

/** Picks with a skew towards the front of the list, as real vocabularies are skewed. */
function skewedPick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() ** 2 * items.length)] as T;
}

/** The share of {@link skewedPick}s of a list of `length` items that land on item `position`. */
function skewedShare(position: number, length: number): number {
  return position < 0 ? 0 : Math.sqrt((position + 1) / length) - Math.sqrt(position / length);
}

/** The provider organization whose share of the bench cards is closest to a tenth. */
export const TENTH_PROVIDER: string = ORGS.reduce((best, org, position) =>
  Math.abs(skewedShare(position, ORGS.length) - 0.1) < Math.abs(skewedShare(ORGS.indexOf(best), ORGS.length) - 0.1) ? org : best,
);

/** The targets of every search shape: a page costs about a page, however many agents match. */
const SEARCH_SHAPE_TARGETS: ScenarioTargets = { minRpsRatioToExpress: 0.3, maxP95Ms: 10, maxGrowthP95: 1.5 };

export const SCENARIOS: Record<ScenarioName, Scenario> = {
  register: {
    name: 'register',
    description: 'POST /agents with a new card each time',
    connections: 32,
    targets: { minRpsRatioToExpress: 0.8, maxP95Ms: 10, maxP99Ms: 20 },
    reference: { rps: 5000, p95Ms: 2 },
  },
  get: {
    name: 'get',
    description: 'GET /agents/{id} of a random registered agent, caches warm',
    connections: 32,
    targets: { minRpsRatioToExpress: 1.0, maxP99RatioToExpress: 2, maxGrowthP95: 1.5 },
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
  'search-all': {
    name: 'search-all',
    description: 'GET /agents?input_mode=text/plain (every bench card has it): a page of 20 from a random place in the results',
    connections: 32,
    targets: SEARCH_SHAPE_TARGETS,
  },
  'search-tenth': {
    name: 'search-tenth',
    description: `GET /agents?provider=${TENTH_PROVIDER} (the provider about a tenth of the bench cards name): a page of 20 from a random place`,
    connections: 32,
    targets: SEARCH_SHAPE_TARGETS,
  },
  'search-word-all': {
    name: 'search-word-all',
    description: 'GET /agents?q=agent (a word of every bench card\'s name): a page of 20 from a random place',
    connections: 32,
    targets: SEARCH_SHAPE_TARGETS,
  },
  'search-two-broad': {
    name: 'search-two-broad',
    description: 'GET /agents?input_mode=text/plain&binding=JSONRPC (two broad filters together): a page of 20 from a random place',
    connections: 32,
    targets: SEARCH_SHAPE_TARGETS,
  },
  'search-broad-rare-word': {
    name: 'search-broad-rare-word',
    description: 'GET /agents?input_mode=text/plain&q=4711 (a filter every card matches and the number in one agent\'s name)',
    connections: 32,
    targets: SEARCH_SHAPE_TARGETS,
  },
  'search-rare-skill': {
    name: 'search-rare-skill',
    description: 'GET /agents?skill=<id> of a skill 0.01-0.1% of the bench cards have',
    connections: 32,
    targets: SEARCH_SHAPE_TARGETS,
  },
};

/**
 * The offered load at which the `maxP95Ms` targets are judged, as a share of the Express
 * baseline's closed-loop req/s for the same scenario and agent count. 0.3 is the lowest throughput
 * ratio to Express the targets ask of any operation (`minRpsRatioToExpress` of search and the
 * search shapes), so the statement is: at the throughput the registry promises, p95 stays within the limit.
 */
export const LATENCY_LOAD_SHARE = 0.3;

/**
 * Registry-wide bound: Redis memory per agent over the card's JSON size, 3 below 1,000,000 agents
 * and 2 from there on, where the index's fixed costs are spread over many agents.
 */
export function maxMemoryPerAgentRatio(agents: number): number {
  return agents >= 1_000_000 ? 2 : 3;
}

/** Most Redis memory per agent, in bytes, with the ~650-byte cards of {@link smallBenchCard}. */
export const SMALL_CARD_MAX_MEMORY_PER_AGENT_BYTES = 3300;

/**
 * Bounds of the embedded registry (no REDIS_URL): its heap and external memory per agent over the
 * card's JSON size, and the p95 growth of its list pages and broadest search (`search-all`)
 * from its smallest to its largest catalogue, which must not grow with the catalogue either.
 */
export const EMBEDDED_TARGETS: { readonly maxMemoryPerAgentRatio: number; readonly maxGrowthP95: number; readonly growthScenarios: readonly ScenarioName[] } = {
  maxMemoryPerAgentRatio: 3,
  maxGrowthP95: 1.5,
  growthScenarios: ['list', 'search-all'],
};

/**
 * Redis `SLOWLOG` during the search scenarios: commands slower than this are logged, and from
 * `judgedFromAgents` agents none may be. Redis runs one command at a time, so one slow search
 * stalls every replica's requests.
 */
export const SLOWLOG_TARGET = { thresholdMs: 5, judgedFromAgents: 1_000_000 } as const;

/**
 * The scenarios after which the harness reads `SLOWLOG`: the searches, which {@link SLOWLOG_TARGET}
 * judges, and registration, reported beside them: its saves go to Redis in batches, one script run
 * each, the longest commands a write sends.
 */
export const readsSlowlog = (scenario: ScenarioName): boolean => isSearchScenario(scenario) || scenario === 'register';

/**
 * The isolation scenario: the p99 of each probe (GET of an agent, a rare-skill search), offered at
 * {@link LATENCY_LOAD_SHARE} × Express's closed-loop req/s, while `loadConnections` closed-loop
 * connections run the most expensive search shape, may be at most `maxP99RatioToQuiet` × its p99
 * without that load. Judged at the largest agent count.
 */
export const ISOLATION: { readonly loadConnections: number; readonly probes: readonly ScenarioName[]; readonly maxP99RatioToQuiet: number } = {
  loadConnections: 8,
  probes: ['get', 'search-rare-skill'],
  maxP99RatioToQuiet: 2,
};

/** The k6 scripts' settings (`k6 run -e NAME=value`), as k6's `__ENV` holds them. */
export type K6Env = Readonly<Record<string, string | undefined>>;

/** A setting that must be a number within (min, max]; undefined when unset or empty. */
function numberSetting(env: K6Env, name: string, min: number, max: number): number | undefined {
  const text = env[name];
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text);
  if (!(value > min && value <= max)) throw new Error(`${name} must be a number above ${min} and at most ${max}, got ${text}`);
  return value;
}

/**
 * The credentials every request of the k6 scripts carries: `API_KEY` as `X-API-Key` (AUTH_MODE=apikey;
 * the key's owner must be a publisher or admin for the writes), or `BEARER_TOKEN` as
 * `Authorization: Bearer` (a JWT with AUTH_MODE=jwt, or an API key too). None when neither is set:
 * a registry on loopback with AUTH_MODE=none.
 */
export function k6AuthHeaders(env: K6Env): Record<string, string> {
  const apiKey = env.API_KEY?.trim();
  const token = env.BEARER_TOKEN?.trim();
  if (apiKey && token) throw new Error('Set API_KEY or BEARER_TOKEN, not both');
  if (apiKey) return { 'X-API-Key': apiKey };
  if (token) return { Authorization: `Bearer ${token}` };
  return {};
}

/**
 * k6 thresholds from the absolute targets (ratios need the baselines, which only the harness runs).
 * A `maxP95Ms` scenario runs at a constant arrival rate (bench/k6/common.ts), where k6 drops an
 * iteration that finds no free virtual user and so measures no latency for it: no iteration may be
 * dropped, or the p95 would leave out exactly the requests that waited.
 *
 * The targets are stated for loopback. Against a cluster, the environment adjusts them: `P95_MS`
 * (p95 in ms, for any scenario), `P99_MS` (adds a p99 threshold), `MAX_FAILED_RATE` (share of failed
 * requests, default 0.01) and `MIN_CHECKS_RATE` (share of passed checks, default 0.99).
 */
export function k6Thresholds(name: ScenarioName, env: K6Env = {}): Record<string, string[]> {
  const { maxP95Ms } = SCENARIOS[name].targets;
  const p95 = numberSetting(env, 'P95_MS', 0, 3_600_000) ?? maxP95Ms;
  const p99 = numberSetting(env, 'P99_MS', 0, 3_600_000);
  const failed = numberSetting(env, 'MAX_FAILED_RATE', 0, 1) ?? 0.01;
  const checks = numberSetting(env, 'MIN_CHECKS_RATE', 0, 1) ?? 0.99;
  const duration = [...(p95 !== undefined ? [`p(95)<${p95}`] : []), ...(p99 !== undefined ? [`p(99)<${p99}`] : [])];
  return {
    checks: [`rate>${checks}`],
    http_req_failed: [`rate<${failed}`],
    ...(duration.length > 0 ? { http_req_duration: duration } : {}),
    ...(maxP95Ms !== undefined ? { dropped_iterations: ['count<1'] } : {}),
  };
}

function sentence(random: () => number, words: number): string {
  return Array.from({ length: words }, () => skewedPick(random, WORDS)).join(' ');
}

/** The id the registry derives from the name of card `index`. */
export const agentIdOf = (index: number): string => `bench-agent-${index}`;

/** A realistic A2A 1.0 card, the same for the same index on every run. */
export function benchCard(index: number): Record<string, unknown> {
  const random = seededRandom(index + 1);
  const skillCount = 1 + Math.floor(random() * MAX_SKILLS);
  const skills = Array.from({ length: skillCount }, (_, s) => {
    const topic = skewedPick(random, WORDS);
    return {
      id: `${topic}-${Math.floor(random() * SKILL_NUMBERS)}`,
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

/**
 * A card of about 650 bytes of JSON, half a {@link benchCard}: one skill, short texts. For the
 * memory per agent of a catalogue of small cards; the same for the same index on every run.
 */
export function smallBenchCard(index: number): Record<string, unknown> {
  const random = seededRandom(index + 1);
  const topic = skewedPick(random, WORDS);
  const host = `agent-${index}.bench.example.com`;
  return {
    name: agentIdOf(index),
    description: sentence(random, 7 + Math.floor(random() * 8)),
    version: `1.${Math.floor(random() * 10)}.0`,
    supportedInterfaces: [{ url: `https://${host}/a2a`, protocolBinding: skewedPick(random, BINDINGS), protocolVersion: '1.0' }],
    provider: { organization: skewedPick(random, ORGS), url: `https://${host}` },
    capabilities: { streaming: random() < 0.5, pushNotifications: random() < 0.3 },
    defaultInputModes: ['text/plain'],
    defaultOutputModes: [skewedPick(random, MODES)],
    skills: [
      {
        id: `${topic}-${Math.floor(random() * SKILL_NUMBERS)}`,
        name: `${topic} ${skewedPick(random, WORDS)}`,
        description: sentence(random, 6 + Math.floor(random() * 6)),
        tags: [skewedPick(random, WORDS), skewedPick(random, WORDS)],
      },
    ],
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

/** Results per page of the search shapes. */
const SHAPE_PAGE_SIZE = 20;

/**
 * The cursor of a search page that starts after agent number `agentNumber` in the first rank tier,
 * where every match of a search without words is, and every match of `q=agent` (a word of every
 * bench card's name). Base64url of `0:` and the number in sixteen digits, as the registry writes it.
 */
export function searchCursorAfter(agentNumber: number): string {
  return base64url(`0:${String(agentNumber).padStart(16, '0')}`);
}

/** The filters of the shapes that match many agents, walked from a random place. */
const BROAD_SHAPE_FILTERS: Record<Exclude<SearchShapeName, 'search-broad-rare-word' | 'search-rare-skill'>, string> = {
  'search-all': 'input_mode=text%2Fplain',
  'search-tenth': `provider=${encodeURIComponent(TENTH_PROVIDER)}`,
  'search-word-all': 'q=agent',
  'search-two-broad': 'input_mode=text%2Fplain&binding=JSONRPC',
};

/** Shares of the agents a rare skill is held by. */
export const RARE_SKILL_SHARE = { min: 0.0001, max: 0.001 } as const;

/**
 * The share of bench cards that have a skill with id `id`, from the generator's distributions:
 * each of a card's 1 to {@link MAX_SKILLS} skills (as many of each count) has a skewed topic
 * and one of {@link SKILL_NUMBERS} numbers.
 */
export function skillIdShare(id: string): number {
  const perSkill = skewedShare(WORDS.indexOf(id.slice(0, id.lastIndexOf('-'))), WORDS.length) / SKILL_NUMBERS;
  let without = 0;
  for (let skills = 1; skills <= MAX_SKILLS; skills++) without += (1 - perSkill) ** skills / MAX_SKILLS;
  return 1 - without;
}

/** Most cards looked at for a rare skill; nearly every card has one, so this is only a guard. */
const RARE_SKILL_ATTEMPTS = 1000;

/** A skill that one of the first `agents` cards has and {@link RARE_SKILL_SHARE} of all cards have. */
function rareSkillAmong(agents: number, random: () => number): string {
  for (let attempt = 0; attempt < RARE_SKILL_ATTEMPTS; attempt++) {
    const { skills } = benchCard(Math.floor(random() * agents)) as { skills: { id: string }[] };
    const rare = skills.find(({ id }) => skillIdShare(id) >= RARE_SKILL_SHARE.min && skillIdShare(id) <= RARE_SKILL_SHARE.max);
    if (rare) return rare.id;
  }
  throw new Error(`No card among ${RARE_SKILL_ATTEMPTS} has a skill held by ${RARE_SKILL_SHARE.min}-${RARE_SKILL_SHARE.max} of the agents`);
}

/**
 * The word in the name of one of the first `agents` cards that no other card has: its number.
 * Numbers below {@link SKILL_NUMBERS} also end skill ids, so it is taken from above them unless
 * the catalogue is that small.
 */
function rareWordAmong(agents: number, random: () => number): string {
  const low = agents > SKILL_NUMBERS ? SKILL_NUMBERS : 0;
  return String(low + Math.floor(random() * (agents - low)));
}

/**
 * The query string of one search of `shape` over a catalogue of the first `agents` bench cards,
 * drawn with `random`: the broad shapes ask for a page from a random place in their results (the
 * first page when the place is 0), the rare ones for what one random agent has.
 */
export function searchShapeQuery(shape: SearchShapeName, agents: number, random: () => number): string {
  const page = `limit=${SHAPE_PAGE_SIZE}`;
  if (shape === 'search-broad-rare-word') return `input_mode=text%2Fplain&q=${rareWordAmong(agents, random)}&${page}`;
  if (shape === 'search-rare-skill') return `skill=${encodeURIComponent(rareSkillAmong(agents, random))}&${page}`;
  const after = Math.floor(random() * agents);
  return `${BROAD_SHAPE_FILTERS[shape]}&${page}${after > 0 ? `&cursor=${searchCursorAfter(after)}` : ''}`;
}
