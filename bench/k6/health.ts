import { check } from 'k6';
import http from 'k6/http';
import { BASE_URL, optionsFor } from './common.ts';

export const options = optionsFor('health');

export default function (): void {
  check(http.get(`${BASE_URL}/health`, { tags: { name: 'GET /health' } }), { 'health 200': (r) => r.status === 200 });
}
