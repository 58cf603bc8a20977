import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DomainService, SETTLE_BATCH } from '../../src/domains/domain-service.js';
import { createSafeFetcher } from '../../src/outbound/safe-fetch.js';
import type { AgentStore } from '../../src/store/agent-store.js';
import type { DomainStore } from '../../src/store/domain-claims.js';
import { cardV1 } from '../helpers/cards.js';
import { storeBackends, writeOf } from '../helpers/store-backends.js';

const MALLORY = { id: 'mallory', admin: false };
const ALICE = { id: 'alice', admin: false };
const SQUATTED = 2 * SETTLE_BATCH + 37;

/** The domain's web server on loopback, serving whatever challenge documents were published. */
let server: Server;
let port = 0;
const published = new Map<string, string>();
beforeAll(async () => {
  server = createServer((req, res) => {
    const document = published.get(req.url ?? '');
    if (document === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(document);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe.each(storeBackends.map((backend) => [backend.name, backend] as const))('the takeover of a proven domain (%s)', (_name, { open }) => {
  let store: AgentStore;
  let domains: DomainStore;
  let close: () => Promise<void>;
  /** The ids each settle call was handed: the takeover's steps. */
  let batches: string[][];

  beforeEach(async () => {
    ({ store, domains, close } = await open());
    batches = [];
    const settle = store.settleDomainAgents.bind(store);
    store.settleDomainAgents = (ids, now, reason) => {
      batches.push([...ids]);
      return settle(ids, now, reason);
    };
  });
  afterEach(() => close());

  const service = () =>
    new DomainService(domains, store, createSafeFetcher({ allowHttp: true, allowPrivateNetworks: true }), {
      challengeTtlSeconds: 60,
      challengeUrlTemplate: `http://{domain}:${port}/challenge/{token}`,
    });
  const cardOn = (i: number, url: string) =>
    cardV1({ name: `Squat ${i}`, supportedInterfaces: [{ url, protocolBinding: 'JSONRPC', protocolVersion: '1.0' }] });

  it(`moves ${SQUATTED} squatted agents in batches of at most ${SETTLE_BATCH} and leaves the others alone`, async () => {
    for (let i = 0; i < SQUATTED; i++) {
      await store.save(writeOf(`squat-${i}`, cardOn(i, `https://a${i % 3}.localhost/a2a`), undefined, { actor: MALLORY }));
    }
    await store.save(writeOf('elsewhere', cardOn(0, 'https://localhost.example/a2a'), undefined, { actor: MALLORY }));
    const domainService = service();
    const challenge = await domainService.challenge('localhost', ALICE);
    published.set(new URL(challenge.url).pathname, JSON.stringify(challenge.document));

    const outcome = await domainService.verify('localhost', ALICE);
    expect(outcome).toMatchObject({ agentsTakenOver: SQUATTED, agentsChanged: SQUATTED, claim: { owner: 'alice', domain: 'localhost' } });
    expect(batches.length).toBe(Math.ceil(SQUATTED / SETTLE_BATCH) + (SQUATTED % SETTLE_BATCH === 0 ? 1 : 0));
    expect(Math.max(...batches.map((batch) => batch.length))).toBeLessThanOrEqual(SETTLE_BATCH);
    expect(new Set(batches.flat()).size).toBe(SQUATTED);
    const records = await store.getMany(Array.from({ length: SQUATTED }, (_, i) => `squat-${i}`));
    expect(records.every((record) => record.owner === 'alice' && record.domainVerified && record.ownerChanges?.length === 1)).toBe(true);
    expect((await store.get('elsewhere'))?.owner).toBe('mallory');
  });
});
