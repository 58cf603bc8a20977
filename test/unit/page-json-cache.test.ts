import { describe, expect, it } from 'vitest';
import { PageJsonCache } from '../../src/agents/page-json-cache.js';
import type { AgentRecord } from '../../src/store/agent-record.js';

const record = (n: number, revision = 1): AgentRecord => ({
  id: `agent-${n}`,
  card: `{"name":"agent-${n}"}`,
  summary: { format: 'a2a-1.0', name: `agent-${n}`, description: '', url: `https://a${n}.example.com`, signatureStatus: 'unsigned' },
  revision,
  createdAt: '2026-11-30T00:00:00.000Z',
  updatedAt: '2026-11-30T00:00:00.000Z',
  status: 'active',
  ttlSeconds: 0,
  lifecycle: { status: 'active' },
  owner: 'anonymous',
  domainVerified: false,
});

/** A renderer that writes the records' ids and revisions, `size` bytes in all, and counts its calls. */
function renderer(size = 100) {
  let calls = 0;
  const render = (records: readonly AgentRecord[]) => () => {
    calls++;
    return Buffer.from(JSON.stringify(records.map((r) => `${r.id}@${r.revision}`)).padEnd(size));
  };
  return { render, calls: () => calls };
}

describe('PageJsonCache', () => {
  it('serves a page again while it shows the same record objects, and renders it anew once one is replaced', () => {
    const events = { hits: 0, misses: 0 };
    const cache = new PageJsonCache(10_000, { onHit: () => events.hits++, onMiss: () => events.misses++ });
    const { render, calls } = renderer();
    const records = [record(1), record(2)];
    const first = cache.jsonOf('page', records, render(records));
    expect(cache.jsonOf('page', [...records], render(records))).toBe(first);
    expect(calls()).toBe(1);

    const changed = [records[0] as AgentRecord, record(2, 2)];
    const second = cache.jsonOf('page', changed, render(changed));
    expect(calls()).toBe(2);
    expect(second.text).toContain('agent-2@2');
    // An equal copy of a record is not the same object: the cache does not compare content.
    const copied = [record(1), record(2, 2)];
    cache.jsonOf('page', copied, render(copied));
    expect(calls()).toBe(3);
    expect(events).toEqual({ hits: 1, misses: 3 });
  });

  it('tells pages apart by key, and by how many records they show', () => {
    const cache = new PageJsonCache(10_000);
    const { render, calls } = renderer();
    const records = [record(1), record(2)];
    cache.jsonOf('snake', records, render(records));
    cache.jsonOf('camel', records, render(records));
    cache.jsonOf('snake', records.slice(0, 1), render(records.slice(0, 1)));
    expect(calls()).toBe(3);
    expect(cache.jsonOf('camel', records, render(records)).text).toContain('agent-2@1');
    expect(calls()).toBe(3);
  });

  it('keeps at most maxBytes of JSON, dropping the page served longest ago first', () => {
    const cache = new PageJsonCache(300);
    const { render, calls } = renderer(100);
    const pages = [1, 2, 3, 4].map((n) => [record(n)]);
    pages.slice(0, 3).forEach((records, i) => cache.jsonOf(`p${i}`, records, render(records)));
    expect(cache.bytes).toBe(300);
    // p0 served again is now the most recent, so p1 goes when p3 arrives.
    cache.jsonOf('p0', pages[0] as AgentRecord[], render(pages[0] as AgentRecord[]));
    cache.jsonOf('p3', pages[3] as AgentRecord[], render(pages[3] as AgentRecord[]));
    expect(calls()).toBe(4);
    expect(cache.bytes).toBe(300);
    cache.jsonOf('p0', pages[0] as AgentRecord[], render(pages[0] as AgentRecord[]));
    cache.jsonOf('p2', pages[2] as AgentRecord[], render(pages[2] as AgentRecord[]));
    expect(calls()).toBe(4);
    cache.jsonOf('p1', pages[1] as AgentRecord[], render(pages[1] as AgentRecord[]));
    expect(calls()).toBe(5);
    expect(cache.bytes).toBe(300);
  });

  it('keeps nothing with maxBytes 0, nor a page larger than maxBytes', () => {
    const off = new PageJsonCache(0);
    const { render, calls } = renderer(100);
    const records = [record(1)];
    off.jsonOf('page', records, render(records));
    off.jsonOf('page', records, render(records));
    expect(calls()).toBe(2);
    expect(off.bytes).toBe(0);

    const small = new PageJsonCache(50);
    small.jsonOf('page', records, render(records));
    small.jsonOf('page', records, render(records));
    expect(calls()).toBe(4);
    expect(small.bytes).toBe(0);
  });
});
