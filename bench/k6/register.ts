import { check } from 'k6';
import exec from 'k6/execution';
import { benchCard } from '../scenarios.ts';
import { AGENTS, optionsFor, postJson } from './common.ts';

export const options = optionsFor('register');

/** Each iteration registers a card no one registered before. */
export default function (): void {
  const index = AGENTS + exec.scenario.iterationInTest;
  const response = postJson('/agents', { agent_card: benchCard(index) }, 'POST /agents');
  check(response, { 'register 201': (r) => r.status === 201 || r.status === 200 });
}
