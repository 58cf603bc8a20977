import { check } from 'k6';
import { get, optionsFor } from './common.ts';

export const options = optionsFor('health');

export default function (): void {
  check(get('/health', 'GET /health'), { 'health 200': (r) => r.status === 200 });
}
