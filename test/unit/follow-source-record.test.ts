import { describe, expect, it } from 'vitest';
import { filterOf, mirroredRecordOf } from '../../src/follow/source-record.js';
import { rawJsonElements } from '../../src/http/raw-json.js';
import { cardV1 } from '../helpers/cards.js';

const fields = {
  agent_id: 'weather-agent',
  revision: 7,
  status: 'inactive' as const,
  heartbeat_ttl_seconds: 60,
  format: 'a2a-1.0',
  signature_status: 'unsigned' as const,
  domain_verified: false,
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-02T00:00:00.000Z',
};

describe('a source agent as a mirror stores it', () => {
  it('keeps the card text, revision, status and times as the source has them, with the terms and hosts of its card', () => {
    const card = `${JSON.stringify(cardV1())}  `;
    const record = mirroredRecordOf({ card, fields });
    expect(record).toMatchObject({ id: 'weather-agent', card, revision: 7, status: 'inactive', ttlSeconds: 60, createdAt: fields.created_at, updatedAt: fields.updated_at });
    expect(record.summary).toMatchObject({ name: 'Weather Agent', format: 'a2a-1.0', signatureStatus: 'unsigned' });
    expect(record.terms).toContain('tag:weather');
    expect(record.hosts).toEqual(['weather.example.com']);
  });

  it('keeps a card this version cannot read, in no index', () => {
    const record = mirroredRecordOf({ card: '{"name":"Odd","description":"d"}', fields });
    expect(record).toMatchObject({ card: '{"name":"Odd","description":"d"}', terms: [], hosts: [] });
    expect(record.summary.name).toBe('Odd');
  });
});

describe('the filter of a sub-registry', () => {
  const record = mirroredRecordOf({ card: JSON.stringify(cardV1()), fields });

  it('holds when the card matches every filter, as the source search would find it', () => {
    expect(filterOf('')(record)).toBe(true);
    expect(filterOf('tag=weather')(record)).toBe(true);
    expect(filterOf('tag=WEATHER&provider=Example Weather Co&streaming=true')(record)).toBe(true);
    expect(filterOf('tag=weather&tag=forecast')(record)).toBe(true);
  });

  it('fails when one filter does not hold', () => {
    expect(filterOf('tag=weather&tag=news')(record)).toBe(false);
    expect(filterOf('streaming=false')(record)).toBe(false);
    expect(filterOf('skill=translate')(record)).toBe(false);
  });
});

describe('rawJsonElements', () => {
  it('answers each element of an array exactly as written', () => {
    const text = '{"a": 1, "agents": [ {"x" : 1 }, "s,]", [1, 2],null ], "b": []}';
    expect(rawJsonElements(text, ['agents'])).toEqual(['{"x" : 1 }', '"s,]"', '[1, 2]', 'null']);
    expect(rawJsonElements(text, ['b'])).toEqual([]);
    expect(rawJsonElements(text, ['a'])).toBeUndefined();
    expect(rawJsonElements(text, ['missing'])).toBeUndefined();
  });
});
