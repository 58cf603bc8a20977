import { check } from 'k6';
import { agentIdOf, listCursorAfter, searchQueryFor } from '../scenarios.ts';
import { get, getAgent, optionsFor, postJson, randomIndex, seedAgents } from './common.ts';

export const options = optionsFor('mixed');

export function setup(): void {
  seedAgents();
}

/** 80% get, 10% search, 5% list, 5% heartbeat: the shape of a read-heavy registry. */
export default function (): void {
  const roll = Math.random();
  if (roll < 0.8) return getAgent();
  if (roll < 0.9) {
    const response = get(`/agents?${searchQueryFor(randomIndex())}`, 'GET /agents?search');
    check(response, { 'search 200': (r) => r.status === 200 });
    return;
  }
  if (roll < 0.95) {
    const response = get(`/agents?limit=50&cursor=${listCursorAfter(randomIndex())}`, 'GET /agents');
    check(response, { 'list 200': (r) => r.status === 200 });
    return;
  }
  const response = postJson(`/agents/${agentIdOf(randomIndex())}/heartbeat`, {}, 'POST /agents/{id}/heartbeat');
  check(response, { 'heartbeat 200': (r) => r.status === 200 });
}
