import { check } from 'k6';
import http from 'k6/http';
import { listCursorAfter } from '../scenarios.ts';
import { BASE_URL, optionsFor, randomIndex, seedAgents } from './common.ts';

export const options = optionsFor('list');

export function setup(): void {
  seedAgents();
}

export default function (): void {
  const response = http.get(`${BASE_URL}/agents?limit=50&cursor=${listCursorAfter(randomIndex())}`, { tags: { name: 'GET /agents' } });
  check(response, { 'list 200': (r) => r.status === 200 });
}
