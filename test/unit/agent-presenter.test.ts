import { describe, expect, it } from 'vitest';
import { presentCard, presentPage as presentPageWith, presentRecord } from '../../src/agents/agent-presenter.js';
import { PageJsonCache } from '../../src/agents/page-json-cache.js';
import { toJsonBytes } from '../../src/http/json-text.js';
import type { AgentRecord } from '../../src/store/agent-record.js';

const record = (n: number, status: AgentRecord['status'] = 'active'): AgentRecord => ({
  id: `agent-${n}`,
  card: `{ "name": "agent-${n}" }`,
  summary: { format: 'a2a-1.0', name: `agent-${n}`, description: `Agent "${n}"`, url: `https://a${n}.example.com`, signatureStatus: 'unsigned' },
  revision: n,
  createdAt: '2026-11-24T00:00:00.000Z',
  updatedAt: '2026-11-24T00:00:00.000Z',
  status,
  ttlSeconds: 0,
  lifecycle: { status: 'active' },
  owner: 'anonymous',
  domainVerified: false,
});

const bytesOf = (value: unknown) => toJsonBytes(value).toString('utf8');

const page = (records: AgentRecord[]) => ({ records, total: records.length, totalExact: true, nextCursor: undefined });

/** Pages through one cache for the whole file: a page shown again comes from it. */
const pages = new PageJsonCache();
const presentPage = (...args: [ReturnType<typeof page>, 'snake' | 'camel']) => presentPageWith(pages, ...args);

describe('presentPage', () => {
  it('answers each record in both naming styles, the same on every page that shows it', () => {
    const records = [record(1), record(2, 'inactive')];
    for (let repeat = 0; repeat < 2; repeat++) {
      const snake = JSON.parse(bytesOf(presentPage(page(records), 'snake')));
      expect(snake.agents).toEqual([{ name: 'agent-1' }, { name: 'agent-2' }]);
      expect(snake.results[1]).toMatchObject({ agent_id: 'agent-2', status: 'inactive', revision: 2, description: 'Agent "2"' });
      expect(snake.results[0]).not.toHaveProperty('agentId');
      const camel = JSON.parse(bytesOf(presentPage(page(records.slice(1)), 'camel')));
      expect(camel.agentCards).toEqual([{ name: 'agent-2' }]);
      expect(camel.results[0]).toMatchObject({ agentId: 'agent-2', status: 'inactive', revision: 2 });
      expect(camel.results[0]).not.toHaveProperty('agent_id');
    }
  });

  it('shows a newer record of the same agent as it is, not an earlier page entry', () => {
    const older = record(5);
    presentPage(page([older]), 'snake');
    const newer = { ...older, revision: 9, status: 'inactive' as const };
    const { results } = JSON.parse(bytesOf(presentPage(page([newer]), 'snake')));
    expect(results[0]).toMatchObject({ revision: 9, status: 'inactive' });
  });

  it('sends a card byte for byte on pages and alone, and a changed card as changed', () => {
    const older = { ...record(6), card: '{ "name": "café ☕",  "n": 1 }' };
    for (let repeat = 0; repeat < 2; repeat++) {
      expect(bytesOf(presentPage(page([older, older]), 'snake'))).toContain(`"agents":[${older.card},${older.card}]`);
      expect(bytesOf(presentRecord(older, 'snake'))).toContain(`"agent_card":${older.card}}`);
      expect(presentCard(older).toString('utf8')).toBe(older.card);
    }
    const newer = { ...older, revision: 7, card: '{ "name": "café ☕",  "n": 2 }' };
    expect(bytesOf(presentRecord(newer, 'snake'))).toContain(`"agent_card":${newer.card}}`);
    expect(presentCard(newer).toString('utf8')).toBe(newer.card);
    expect(bytesOf(presentPage(page([newer]), 'camel'))).toContain(`"agentCards":[${newer.card}]`);
  });
});
