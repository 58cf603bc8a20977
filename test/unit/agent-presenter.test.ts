import { describe, expect, it } from 'vitest';
import { presentPage } from '../../src/agents/agent-presenter.js';
import { toJsonText } from '../../src/http/json-text.js';
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
  owner: 'anonymous',
});

const page = (records: AgentRecord[]) => ({ records, total: records.length, nextCursor: undefined });

describe('presentPage', () => {
  it('answers each record in both naming styles, the same on every page that shows it', () => {
    const records = [record(1), record(2, 'inactive')];
    for (let repeat = 0; repeat < 2; repeat++) {
      const snake = JSON.parse(toJsonText(presentPage(page(records), 'snake')));
      expect(snake.agents).toEqual([{ name: 'agent-1' }, { name: 'agent-2' }]);
      expect(snake.results[1]).toMatchObject({ agent_id: 'agent-2', status: 'inactive', revision: 2, description: 'Agent "2"' });
      expect(snake.results[0]).not.toHaveProperty('agentId');
      const camel = JSON.parse(toJsonText(presentPage(page(records.slice(1)), 'camel')));
      expect(camel.agentCards).toEqual([{ name: 'agent-2' }]);
      expect(camel.results[0]).toMatchObject({ agentId: 'agent-2', status: 'inactive', revision: 2 });
      expect(camel.results[0]).not.toHaveProperty('agent_id');
    }
  });

  it('shows a newer record of the same agent as it is, not an earlier page entry', () => {
    const older = record(5);
    presentPage(page([older]), 'snake');
    const newer = { ...older, revision: 9, status: 'inactive' as const };
    const { results } = JSON.parse(toJsonText(presentPage(page([newer]), 'snake')));
    expect(results[0]).toMatchObject({ revision: 9, status: 'inactive' });
  });
});
