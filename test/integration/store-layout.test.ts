import { afterAll, describe, expect, it } from 'vitest';
import { storedCards } from '../../src/agents/stored-cards.js';
import { UnavailableError } from '../../src/errors.js';
import { RedisAgentStore } from '../../src/store/redis-agent-store.js';
import { redisKeys } from '../../src/store/redis-keys.js';
import { DEFAULT_INDEX_TUNING, type IndexTuning } from '../../src/store/term-layout.js';
import { cardV1 } from '../helpers/cards.js';
import { connect, deleteKeys, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { sendJson, startRegistry } from '../helpers/registry-server.js';
import { writeOf } from '../helpers/store-backends.js';

/**
 * An earlier version kept every id in one sorted set (`agents`) and the active agents in an index
 * set (`idx:status:active`); read with this version's layout, its inactive agents would show up in
 * searches and its records would not parse. Such data is refused, loudly, rather than read wrongly.
 */
describe('the data layout under the prefix', () => {
  const admin = connect();
  const prefixes: string[] = [];
  const fresh = () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    return prefix;
  };
  /** A store on a fresh prefix, marked with `layout` first when given. */
  const storeOn = async (layout?: string, tuning: IndexTuning = DEFAULT_INDEX_TUNING) => {
    const prefix = fresh();
    if (layout) await admin.set(`${prefix}layout`, layout);
    return { prefix, store: new RedisAgentStore(connect(), redisKeys(prefix), storedCards, undefined, tuning) };
  };
  afterAll(async () => {
    for (const prefix of prefixes) await deleteKeys(admin, prefix);
    admin.disconnect();
  });

  it('is marked with this version on an empty prefix, and the store works', async () => {
    const { prefix, store } = await storeOn();
    expect(await store.checkLayout()).toBeUndefined();
    expect(await admin.get(`${prefix}layout`)).toBe('6');
    expect(store.indexesWordPrefixes).toBe(true);
    await store.save(writeOf('weather'));
    expect(await store.checkLayout()).toBeUndefined();
    expect((await store.get('weather'))?.id).toBe('weather');
    await store.close();
  });

  it.each([['a set of every id', 'agents'], ['an index set of active agents', 'idx:status:active']])(
    'refuses data of an earlier layout (%s): every operation answers 503 saying why, and nothing is written',
    async (_what, marker) => {
      const prefix = fresh();
      await (marker === 'agents' ? admin.zadd(`${prefix}agents`, 0, 'old-agent') : admin.sadd(`${prefix}${marker}`, 1));
      const store = new RedisAgentStore(connect(), redisKeys(prefix), storedCards);
      expect(await store.checkLayout()).toMatch(/data layout this version cannot read/);
      await expect(store.save(writeOf('weather'))).rejects.toBeInstanceOf(UnavailableError);
      await expect(store.get('old-agent')).rejects.toThrow(/data layout this version cannot read/);
      await expect(store.ping()).rejects.toBeInstanceOf(UnavailableError);
      expect(await admin.exists(`${prefix}agent:weather`, `${prefix}layout`)).toBe(0);
      await store.close();
    },
  );

  it('refuses a layout version it does not know', async () => {
    const { store } = await storeOn('7');
    expect(await store.checkLayout()).toMatch(/layout 7, this version writes 6/);
    await store.close();
  });

  it('reads and writes data of layout 2, whose older agents lack word prefixes, and leaves its mark alone', async () => {
    const { prefix, store } = await storeOn('2');
    expect(await store.checkLayout()).toBeUndefined();
    expect(store.indexesWordPrefixes).toBe(false);
    await store.save(writeOf('weather'));
    expect((await store.get('weather'))?.id).toBe('weather');
    expect(await admin.get(`${prefix}layout`)).toBe('2');
    await store.close();
  });

  /** A card whose text JSON.stringify would not give back: spacing, key order and characters beyond ASCII, kept exactly. */
  const unusualText = `{ "name": "Météo 天気",\n  "description": "Prévisions \\u00e9 ✓", ${JSON.stringify(cardV1()).slice(1).replace(/"name":"[^"]*","description":"[^"]*",/, '')}`;
  const sourced = (card: string) => ({ ...writeOf('meteo', JSON.parse(card) as Record<string, unknown>), card, source: { url: 'https://weather.example.com/.well-known/agent-card.json', nextRefreshAt: new Date(0) } });

  it('of this version keeps cards packed, and gives back each card and its previous revision exactly as sent', async () => {
    const { prefix, store } = await storeOn();
    await store.checkLayout();
    const first = await store.save(sourced(unusualText));
    const changed = unusualText.replace('Prévisions', 'Forecasts');
    await store.save(sourced(changed));
    const kept = await admin.hgetBuffer(`${prefix}agent:meteo`, 'card');
    expect(kept?.[0]).toBe(0x01);
    expect(kept?.length).toBeLessThan(Buffer.byteLength(changed));
    expect((await store.get('meteo'))?.card).toBe(changed);
    expect((await store.getMany(['meteo']))[0]?.card).toBe(changed);
    expect(await store.previousCard('meteo')).toEqual({ revision: first.record.revision, card: unusualText });
    // Its old index terms come from the packed card: a delete leaves no membership behind.
    await store.delete('meteo');
    expect(await admin.keys(`${prefix}idx:*`)).toEqual([]);
    await store.close();
  });

  it('reads and writes data of layout 4 with plain cards, which a replica of an earlier version reads as they are', async () => {
    const { prefix, store } = await storeOn('4');
    expect(await store.checkLayout()).toBeUndefined();
    await store.save(sourced(unusualText));
    expect(await admin.hget(`${prefix}agent:meteo`, 'card')).toBe(unusualText);
    expect((await store.get('meteo'))?.card).toBe(unusualText);
    expect(await setsOf(prefix, 'tok')).not.toContain('weather');
    expect(await admin.get(`${prefix}layout`)).toBe('4');
    await store.close();
  });

  /** A card with words of every length: 2 letters, 3 to 10 (prefixable), and 11 or more. */
  const wordy = (description: string) => cardV1({ name: 'Zephyrine Qx', description });
  const setsOf = async (prefix: string, kind: string) =>
    (await admin.keys(`${prefix}idx:${kind}:*`)).map((key) => key.slice(`${prefix}idx:${kind}:`.length)).sort();

  it('of this version indexes a word of 3 to 10 letters by its prefix terms only, and shorter or longer words whole', async () => {
    const { prefix, store } = await storeOn();
    await store.checkLayout();
    await store.save(writeOf('wordy', wordy('ok quokkas incomprehensibilities')));
    expect(await setsOf(prefix, 'tok')).toEqual(['incomprehensibilities', 'ok', 'qx']);
    expect(await setsOf(prefix, 'ntok')).toEqual(['qx']);
    expect(await setsOf(prefix, 'pre')).toEqual(expect.arrayContaining(['quokkas', 'quo', 'zephyrine', 'incomprehe']));
    expect(await setsOf(prefix, 'npre')).toEqual(expect.arrayContaining(['zephyrine', 'zep']));
    await store.close();
  });

  it('reads and writes data of layout 3 with the whole-word terms it has, and leaves none behind when its agents change', async () => {
    const { prefix, store } = await storeOn('3');
    expect(await store.checkLayout()).toBeUndefined();
    expect(store.indexesWordPrefixes).toBe(true);
    await store.save(writeOf('wordy', wordy('ok quokkas')));
    expect(await setsOf(prefix, 'tok')).toEqual(expect.arrayContaining(['ok', 'quokkas', 'qx', 'zephyrine']));
    await store.save(writeOf('wordy', wordy('ok wombats')));
    expect(await setsOf(prefix, 'tok')).toEqual(expect.arrayContaining(['ok', 'qx', 'wombats', 'zephyrine']));
    expect(await setsOf(prefix, 'tok')).not.toContain('quokkas');
    await store.delete('wordy');
    expect(await setsOf(prefix, 'tok')).toEqual([]);
    expect(await setsOf(prefix, 'pre')).toEqual([]);
    expect(await admin.get(`${prefix}layout`)).toBe('3');
    await store.close();
  });

  /** Buckets of 8 numbers, bitmap chunks of 512, terms large past 3 members and dense when then more than 1 in 4 of the numbers. */
  const TINY: IndexTuning = { ...DEFAULT_INDEX_TUNING, bucketWidth: 8, smallTermMax: 3, denseTermShare: 4 };
  const tagged = (...tags: string[]) => cardV1({ skills: [{ id: 'forecast', name: 'Forecast', description: 'Forecasts', tags }] });
  /** Registers agents `from` to `to` - 1 (agent numbers from + 1 to `to`), each with the tags `tagsOf` gives it. */
  const register = async (store: RedisAgentStore, from: number, to: number, tagsOf: (i: number) => string[]) => {
    for (let i = from; i < to; i++) await store.save(writeOf(`agent-${i}`, tagged(...tagsOf(i))));
  };
  const numbersOf = (page: { hits: { position: { agentNumber: number } }[] }) => page.hits.map((hit) => hit.position.agentNumber);
  const search = (store: RedisAgentStore, terms: string[], afterNumber = 0) =>
    store.searchTerms({ terms, preferred: [], includeInactive: false, wanted: 5, ...(afterNumber ? { after: { tier: 0, agentNumber: afterNumber } } : {}) });
  /** Every match, page after page: from the last hit of a full page, or from where a walk spent its budget. */
  const everyMatch = async (store: RedisAgentStore, terms: string[]) => {
    const found: number[] = [];
    let after = 0;
    for (let pages = 0; pages < 100; pages++) {
      const page = await search(store, terms, after);
      found.push(...numbersOf(page));
      const next = page.hits.length === 5 ? page.hits[4]?.position : page.stoppedAt;
      if (!next) return found;
      after = next.agentNumber;
    }
    throw new Error('the walk did not end within 100 pages');
  };

  it('of this version keeps a term common when it grows large as bitmap chunks of full length, and one that grows large later in buckets', async () => {
    const { prefix, store } = await storeOn(undefined, TINY);
    await store.checkLayout();
    await register(store, 0, 600, (i) => [i < 4 ? 'early' : 'other', ...(i >= 590 && i < 594 ? ['late'] : []), ...([99, 299, 549].includes(i) ? ['rare'] : [])]);
    // Every agent takes text/plain (cardV1's modes): dense from its 4th member, over two chunks now.
    expect(await admin.get(`${prefix}large:in:text/plain`)).toBe(String(-(600 * 4096 + 1)));
    expect(await admin.strlen(`${prefix}bits:0:in:text/plain`)).toBe(64);
    expect(await admin.strlen(`${prefix}bits:1:in:text/plain`)).toBe(64);
    // As much memory as a string set whole, at once: no room to grow was given as the bits were set.
    await admin.set(`${prefix}bits:9:in:text/plain`, Buffer.alloc(64));
    expect(await admin.memory('USAGE', `${prefix}bits:1:in:text/plain`)).toBe(await admin.memory('USAGE', `${prefix}bits:9:in:text/plain`));
    await admin.del(`${prefix}bits:9:in:text/plain`);
    expect(await admin.get(`${prefix}large:tag:early`)).toBe(String(-(4 * 4096)));
    // 4 members among the numbers up to 594: not dense, so in buckets (numbers 591-594: buckets 73 and 74).
    expect(await admin.get(`${prefix}large:tag:late`)).toBe('4');
    expect((await admin.smembers(`${prefix}bkt:73:tag:late`)).sort()).toEqual(['591']);
    expect(await admin.keys(`${prefix}bits:*:tag:late`)).toEqual([]);

    expect(numbersOf(await search(store, ['in:text/plain'], 509))).toEqual([510, 511, 512, 513, 514]);
    const rare = await search(store, ['tag:rare', 'in:text/plain']);
    expect(numbersOf(rare)).toEqual([100, 300, 550]);
    // Its three candidates lie in three buckets but two chunks: one membership command per chunk.
    expect(rare.work).toBe(3 + 2 * TINY.checkCost);
    expect(numbersOf(await search(store, ['tag:early', 'in:text/plain']))).toEqual([1, 2, 3, 4]);
    expect(await everyMatch(store, ['tag:late', 'in:text/plain'])).toEqual([591, 592, 593, 594]);
    expect(await everyMatch(store, ['tag:late', 'tag:other', 'in:text/plain'])).toEqual([591, 592, 593, 594]);
    expect((await search(store, ['tag:other', 'in:text/plain'], 590)).total).toBe(596);

    // A dense term that loses its last member leaves no count and no chunk behind.
    for (let i = 0; i < 4; i++) await store.delete(`agent-${i}`);
    expect(await admin.keys(`${prefix}*:tag:early`)).toEqual([]);
    expect(numbersOf(await search(store, ['tag:early']))).toEqual([]);
    await store.close();
  });

  it('refuses a bucket width that is not a whole number of bytes of a bitmap', () => {
    expect(() => new RedisAgentStore(admin, redisKeys(fresh()), storedCards, undefined, { ...TINY, bucketWidth: 12 })).toThrow(/multiple of 8, got 12/);
  });

  it('writes data of layout 5 with every large term in buckets, which a replica of an earlier version reads', async () => {
    const { prefix, store } = await storeOn('5', TINY);
    expect(await store.checkLayout()).toBeUndefined();
    await register(store, 0, 6, () => ['early']);
    expect(await admin.get(`${prefix}large:tag:early`)).toBe('6');
    expect(await admin.keys(`${prefix}bits:*`)).toEqual([]);
    expect(numbersOf(await search(store, ['tag:early', 'in:text/plain']))).toEqual([1, 2, 3, 4, 5]);
    expect(await admin.get(`${prefix}layout`)).toBe('5');
    await store.close();
  });

  it('keeps a registry on such data not ready, answering 503 with the reason', async () => {
    const prefix = fresh();
    await admin.zadd(`${prefix}agents`, 0, 'old-agent');
    const running = await startRegistry({ REDIS_URL: redisUrl(), REDIS_PREFIX: prefix, ROLE: 'api' });
    try {
      expect((await fetch(`${running.baseUrl}/ready`)).status).toBe(503);
      const res = await sendJson(`${running.baseUrl}/agents`, 'POST', { agent_card: cardV1() });
      expect(res.status).toBe(503);
      expect(JSON.stringify(await res.json())).toMatch(/data layout this version cannot read/);
    } finally {
      await running.close();
    }
  });
});
