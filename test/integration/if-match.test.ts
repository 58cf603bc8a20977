import { describe, expect, it } from 'vitest';
import { cardV1 } from '../helpers/cards.js';
import { sendJson } from '../helpers/registry-server.js';
import { useRegistry } from '../helpers/use-registry.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Body = Record<string, any>;

/** If-Match as RFC 9110 §13.1.1 has it: strong comparison, lists, and 412 (not 400) for a tag that matches nothing. */
describe('If-Match on writes', () => {
  const ctx = useRegistry();

  async function registered(name: string): Promise<{ id: string; revision: number }> {
    const res = await sendJson(`${ctx.base}/agents`, 'POST', { agent_card: cardV1({ name }) });
    const body = (await res.json()) as Body;
    return { id: body.agent_id, revision: body.revision };
  }

  const cardText = async (id: string) => (await fetch(`${ctx.base}/agents/${id}/card`)).text();
  const put = (id: string, ifMatch: string) =>
    sendJson(`${ctx.base}/agents/${id}`, 'PUT', { agent_card: cardV1({ name: id, version: '9.9.9' }) }, { 'if-match': ifMatch });

  it.each([
    ['a well-formed tag no revision has', '"stale-etag-0"'],
    ['a tag of a revision the agent is not at', '"999999"'],
    ['the weak form of the current tag (If-Match compares strongly)', 'W/"{current}"'],
    ['a list of tags none of which is current', '"stale-etag-0", "999999", W/"{current}"'],
  ])('PUT with %s answers 412 and changes nothing', async (_what, header) => {
    const { id, revision } = await registered(`Precondition ${_what.length}`);
    const before = await cardText(id);
    const res = await put(id, header.replaceAll('{current}', String(revision)));
    expect(res.status).toBe(412);
    expect(((await res.json()) as Body).error.code).toBe('precondition_failed');
    expect(await cardText(id)).toBe(before);
  });

  it('DELETE with a well-formed tag no revision has answers 412 and keeps the agent', async () => {
    const { id } = await registered('Delete Stale Tag');
    const res = await fetch(`${ctx.base}/agents/${id}`, { method: 'DELETE', headers: { 'if-match': '"stale-etag-0"' } });
    expect(res.status).toBe(412);
    expect((await fetch(`${ctx.base}/agents/${id}`)).status).toBe(200);
  });

  it('PUT with a list of tags that holds the current one updates', async () => {
    const { id, revision } = await registered('List Holds Current');
    const res = await put(id, `"stale-etag-0", W/"${revision}", "${revision}"`);
    expect(res.status).toBe(200);
    expect(JSON.parse(await cardText(id)).version).toBe('9.9.9');
  });

  it('PUT with If-Match: * on an existing agent updates', async () => {
    const { id } = await registered('Star Matches Any');
    expect((await put(id, '*')).status).toBe(200);
  });

  it.each([
    ['a word that is no entity tag', 'yesterday'],
    ['an unterminated tag', '"12'],
    ['a lower-case weak prefix', 'w/"12"'],
    ['a tag with a space inside', '"1 2"'],
  ])('PUT with %s answers 400 naming the header, and changes nothing', async (_what, header) => {
    const { id } = await registered(`Malformed ${_what.length}`);
    const before = await cardText(id);
    const res = await put(id, header);
    expect(res.status).toBe(400);
    expect(((await res.json()) as Body).error.violations.map((v: Body) => v.path)).toEqual(['header:If-Match']);
    expect(await cardText(id)).toBe(before);
  });
});
