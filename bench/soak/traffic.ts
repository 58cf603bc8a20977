import { randomUUID } from 'node:crypto';
import type { Member } from './cluster.js';

/** One request the load sent: when it started and ended, to which replica, and how (status, or 0 for no answer). */
export interface Sent {
  at: number;
  end: number;
  replica: string;
  status: number;
}

/** What the clients saw, for the report. */
export interface TrafficLog {
  sent: Sent[];
  /** Registrations answered 2xx: id → the revision acknowledged last, and the skill only that agent has. */
  acknowledged: Map<string, { revision: number; skill: string }>;
  /** Ids whose removal was answered 2xx. */
  deleted: Set<string>;
  /** Answers that named another agent, a revision older than one acknowledged to this client, or a search hit without the skill. */
  wrong: string[];
}

/** The card of soak agent `id`: one skill that is its alone, and one all of them share. */
export function soakCard(id: string, version = '1.0.0') {
  return {
    name: id,
    description: `Soak agent ${id}`,
    version,
    supportedInterfaces: [{ url: `https://${id}.soak.example/a2a`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' }],
    capabilities: {},
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/plain'],
    skills: [
      { id: `only-${id}`, name: 'Own', description: 'Only this agent', tags: ['soak'] },
      { id: 'shared', name: 'Shared', description: 'Every soak agent', tags: ['soak'] },
    ],
  };
}

const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(Math.random() * items.length)];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/**
 * One client: until `until`, sends a mix of registrations (each with an Idempotency-Key, retried
 * with it on 503 or no answer), updates, reads with `min_revision`, searches, heartbeats and
 * removals to a random replica that is up, checking every answer it can against what it was told.
 */
export async function client(replicas: readonly Member[], until: number, log: TrafficLog): Promise<void> {
  const send = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const replica = pick(replicas.filter((r) => r.up)) ?? (replicas[0] as Member);
    const at = Date.now();
    try {
      const res = await fetch(`${replica.origin}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(10_000),
      });
      const json: Json = await res.json().catch(() => undefined);
      log.sent.push({ at, end: Date.now(), replica: replica.name, status: res.status });
      return { status: res.status, json };
    } catch {
      log.sent.push({ at, end: Date.now(), replica: replica.name, status: 0 });
      return { status: 0, json: undefined };
    }
  };
  /** A write retried with its key until it is answered, for at most three more tries. */
  const write = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const key = randomUUID();
    for (let attempt = 0; ; attempt++) {
      const answer = await send(method, path, body, { ...headers, 'idempotency-key': key });
      if ((answer.status !== 503 && answer.status !== 0) || attempt === 3 || Date.now() > until) return answer;
      await sleep(500);
    }
  };

  while (Date.now() < until) {
    const ids = [...log.acknowledged.keys()];
    const roll = Math.random();
    if (roll < 0.3 || ids.length === 0) {
      const id = `soak-${randomUUID().slice(0, 12)}`;
      const saved = await write('PUT', `/agents/${id}`, { agent_card: soakCard(id) });
      if (saved.status >= 200 && saved.status < 300) log.acknowledged.set(id, { revision: saved.json.revision, skill: `only-${id}` });
    } else if (roll < 0.4) {
      const id = pick(ids) as string;
      // If-Match: * so that an update racing another client's removal is refused, not a new registration.
      const saved = await write('PUT', `/agents/${id}`, { agent_card: soakCard(id, `1.${Date.now()}.0`) }, { 'if-match': '*' });
      const known = log.acknowledged.get(id);
      if (saved.status === 200 && known) known.revision = Math.max(known.revision, saved.json.revision);
    } else if (roll < 0.7) {
      const id = pick(ids) as string;
      const known = log.acknowledged.get(id);
      const read = await send('GET', `/agents/${id}?min_revision=${known?.revision ?? 1}`);
      if (read.status === 200 && (read.json.agent_id !== id || read.json.agent_card?.name !== id || read.json.revision < (known?.revision ?? 0))) {
        log.wrong.push(`GET ${id} answered ${read.json.agent_id} at revision ${read.json.revision}`);
      }
    } else if (roll < 0.85) {
      const id = pick(ids) as string;
      const skill = log.acknowledged.get(id)?.skill ?? 'shared';
      const found = await send('GET', `/agents?skill=${encodeURIComponent(Math.random() < 0.5 ? skill : 'shared')}&limit=20`);
      for (const card of found.status === 200 ? (found.json.agents as Json[]) : []) {
        if (!card.skills?.some((s: Json) => s.id === skill || s.id === 'shared')) log.wrong.push(`search answered ${card.name} without the skill`);
      }
    } else if (roll < 0.97) {
      await send('POST', `/agents/${pick(ids)}/heartbeat`);
    } else {
      const id = pick(ids) as string;
      const removed = await write('DELETE', `/agents/${id}`);
      if (removed.status === 200) {
        log.acknowledged.delete(id);
        log.deleted.add(id);
      }
    }
  }
}
