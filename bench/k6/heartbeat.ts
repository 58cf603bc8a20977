import { check } from 'k6';
import { agentIdOf } from '../scenarios.ts';
import { optionsFor, postJson, randomIndex, seedAgents } from './common.ts';

export const options = optionsFor('heartbeat');

export function setup(): void {
  seedAgents();
}

export default function (): void {
  const response = postJson(`/agents/${agentIdOf(randomIndex())}/heartbeat`, {}, 'POST /agents/{id}/heartbeat');
  check(response, { 'heartbeat 200': (r) => r.status === 200 });
}
