import { describe, expect, it } from 'vitest';
import { useAgentHost } from '../helpers/agent-host.js';
import { cardV1 } from '../helpers/cards.js';
import { sendJson } from '../helpers/registry-server.js';
import { useRegistry } from '../helpers/use-registry.js';
import { until } from '../helpers/until.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (response: Response): Promise<any> => response.json();

describe('register by URL, on a registry allowed to reach private http addresses (test mode)', () => {
  const host = useAgentHost(JSON.stringify(cardV1({ name: 'Hosted Agent' }), null, 1));
  const registry = useRegistry({
    OUTBOUND_ALLOW_HTTP: 'true',
    OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true',
    SWEEP_INTERVAL_SECONDS: '1',
    CARD_REFRESH_INTERVAL_SECONDS: '1',
  });

  it('fetches the well-known card, stores its exact bytes and remembers the source', async () => {
    const response = await sendJson(`${registry.base}/agents/register-url`, 'POST', { url: host.origin });
    expect(response.status).toBe(201);
    const saved = await json(response);
    expect(saved.agent_id).toBe('hosted-agent');
    expect(saved.source_url).toBe(`${host.origin}/.well-known/agent-card.json`);
    expect(await (await fetch(`${registry.base}/agents/hosted-agent/card`)).text()).toBe(host.state.card);
  });

  it('takes a new revision when the source card changes, and keeps the previous one', async () => {
    const before = await json(await fetch(`${registry.base}/agents/hosted-agent`));
    const previousText = host.state.card;
    host.state.card = JSON.stringify(cardV1({ name: 'Hosted Agent', version: '9.9.9' }));
    const after = await until(
      () => fetch(`${registry.base}/agents/hosted-agent`).then(json),
      (record) => record.revision > before.revision,
    );
    expect(after.revision).toBeGreaterThan(before.revision);
    expect(after.agent_card.version).toBe('9.9.9');
    expect(after.previous_revision).toBe(before.revision);
    const previous = await json(await fetch(`${registry.base}/agents/hosted-agent/previous`));
    expect(previous.revision).toBe(before.revision);
    expect(JSON.stringify(previous.agent_card)).toBe(JSON.stringify(JSON.parse(previousText)));
  });

  it('leaves the revision alone while the source card stays the same', async () => {
    const first = await json(await fetch(`${registry.base}/agents/hosted-agent`));
    const seen = host.state.requests;
    await until(async () => host.state.requests, (requests) => requests > seen + 1);
    expect((await json(await fetch(`${registry.base}/agents/hosted-agent`))).revision).toBe(first.revision);
  });

  it('registers the same way over JSON-RPC', async () => {
    const answer = await json(
      await sendJson(`${registry.base}/jsonrpc`, 'POST', {
        jsonrpc: '2.0',
        id: 1,
        method: 'register_agent_url',
        params: { url: host.origin, agent_id: 'hosted-copy' },
      }),
    );
    expect(answer.result.agent_id).toBe('hosted-copy');
  });

  it('answers 502 when the URL serves no card, and stores nothing', async () => {
    const response = await sendJson(`${registry.base}/agents/register-url`, 'POST', { url: `${host.origin}/missing.json` });
    expect(response.status).toBe(502);
    expect((await json(response)).error.code).toBe('upstream_error');
  });

  it('refuses a request without a url with 400', async () => {
    const response = await sendJson(`${registry.base}/agents/register-url`, 'POST', { link: host.origin });
    expect(response.status).toBe(400);
  });
});

describe('register by URL with the default outbound policy', () => {
  const host = useAgentHost(JSON.stringify(cardV1({ name: 'Hosted Agent' }), null, 1));
  const registry = useRegistry({ ROLE: 'api' });

  it('refuses loopback and plain http before connecting, with 400 url_not_allowed', async () => {
    const before = host.state.requests;
    for (const url of [host.origin, 'http://169.254.169.254/latest/meta-data', 'https://localhost/']) {
      const response = await sendJson(`${registry.base}/agents/register-url`, 'POST', { url });
      expect(response.status).toBe(400);
      expect((await json(response)).error.code).toBe('url_not_allowed');
    }
    expect(host.state.requests).toBe(before);
    expect(await registry.redis.exists(`${registry.prefix}agent:hosted-agent`)).toBe(0);
  });
});
