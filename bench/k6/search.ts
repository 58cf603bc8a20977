import { check } from 'k6';
import http from 'k6/http';
import { searchQueryFor } from '../scenarios.ts';
import { BASE_URL, optionsFor, randomIndex, seedAgents } from './common.ts';

export const options = optionsFor('search');

export function setup(): void {
  seedAgents();
}

export default function (): void {
  const response = http.get(`${BASE_URL}/agents?${searchQueryFor(randomIndex())}`, { tags: { name: 'GET /agents?search' } });
  check(response, {
    'search 200': (r) => r.status === 200,
    'search finds the agent it was built from': (r) => Number(r.json('total')) >= 1,
  });
}
