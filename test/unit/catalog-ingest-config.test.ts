import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';

describe('the AI Catalog ingest settings', () => {
  it('default to 8 lanes, 5000 entries, a 15 s request deadline and a 72 h removal grace', () => {
    expect(loadConfig({}).catalogIngest).toEqual({ concurrency: 8, maxEntries: 5000, deadlineSeconds: 15, removalGraceHours: 72 });
  });

  it('read the variables they are given', () => {
    const config = loadConfig({
      CATALOG_INGEST_CONCURRENCY: '2',
      CATALOG_INGEST_MAX_ENTRIES: '100',
      CATALOG_INGEST_DEADLINE_SECONDS: '5',
      CATALOG_REMOVAL_GRACE_HOURS: '0',
    });
    expect(config.catalogIngest).toEqual({ concurrency: 2, maxEntries: 100, deadlineSeconds: 5, removalGraceHours: 0 });
  });

  it('refuse values out of range, naming each variable', () => {
    let error: unknown;
    try {
      loadConfig({ CATALOG_INGEST_CONCURRENCY: '0', CATALOG_INGEST_MAX_ENTRIES: '1000000', CATALOG_INGEST_DEADLINE_SECONDS: 'soon', CATALOG_REMOVAL_GRACE_HOURS: '-1' });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigError);
    for (const name of ['CATALOG_INGEST_CONCURRENCY', 'CATALOG_INGEST_MAX_ENTRIES', 'CATALOG_INGEST_DEADLINE_SECONDS', 'CATALOG_REMOVAL_GRACE_HOURS']) {
      expect((error as Error).message).toContain(name);
    }
  });
});
