import { check } from 'k6';
import { SEARCH_SHAPES, searchShapeQuery, seededRandom, type SearchShapeName } from '../scenarios.ts';
import { AGENTS, get, optionsFor, seedAgents } from './common.ts';

/** The search shape to run: `k6 run -e SHAPE=search-two-broad ...`; search-all when not given. */
const SHAPE = (__ENV.SHAPE ?? 'search-all') as SearchShapeName;
if (!SEARCH_SHAPES.includes(SHAPE)) throw new Error(`SHAPE must be one of ${SEARCH_SHAPES.join(', ')}, got ${__ENV.SHAPE}`);

/** Distinct searches every virtual user cycles through, drawn as the local harness draws its own (a seeded sample). */
const SAMPLED_QUERIES = 200;
const random = seededRandom(AGENTS);
const QUERIES = Array.from({ length: SAMPLED_QUERIES }, () => searchShapeQuery(SHAPE, AGENTS, random));

export const options = optionsFor(SHAPE);

export function setup(): void {
  seedAgents();
}

export default function (): void {
  const query = QUERIES[Math.floor(Math.random() * QUERIES.length)] as string;
  const response = get(`/agents?${query}`, `GET /agents?${SHAPE}`);
  check(response, {
    'search 200': (r) => r.status === 200,
    'search answers a page': (r) => Array.isArray(r.json('agents')),
  });
}
