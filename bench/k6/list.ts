import { check } from 'k6';
import { listCursorAfter } from '../scenarios.ts';
import { get, optionsFor, randomIndex, seedAgents } from './common.ts';

export const options = optionsFor('list');

export function setup(): void {
  seedAgents();
}

export default function (): void {
  const response = get(`/agents?limit=50&cursor=${listCursorAfter(randomIndex())}`, 'GET /agents');
  check(response, { 'list 200': (r) => r.status === 200 });
}
