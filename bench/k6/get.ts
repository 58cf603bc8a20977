import { getAgent, optionsFor, seedAgents } from './common.ts';

export const options = optionsFor('get');

export function setup(): void {
  seedAgents();
}

export default function (): void {
  getAgent();
}
