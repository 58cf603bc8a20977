import { check } from 'k6';
import { searchQueryFor } from '../scenarios.ts';
import { get, optionsFor, randomIndex, seedAgents } from './common.ts';

export const options = optionsFor('search');

export function setup(): void {
  seedAgents();
}

export default function (): void {
  const response = get(`/agents?${searchQueryFor(randomIndex())}`, 'GET /agents?search');
  check(response, {
    'search 200': (r) => r.status === 200,
    'search finds the agent it was built from': (r) => Number(r.json('total')) >= 1,
  });
}
