/**
 * The soak: mixed load on two API replicas and a worker sharing one Redis (append-only file), while
 * the processes are killed (-9) and started again at random moments. Run by hand, not by `npm test`:
 *
 *   npm run soak -- [--minutes 10] [--clients 8] [--fsync always|everysec] [--seed N]
 *
 * It prints a Markdown report: requests served, 5xx and unanswered requests inside and outside the
 * outage windows, wrong answers, acknowledged writes lost, expiry, and each process's RSS.
 */
import { parseArgs } from 'node:util';
import { seededRandom } from '../scenarios.js';
import { client, type Sent, type TrafficLog } from './traffic.js';
import { redisMember, registryMember, rssOf, type Member } from './cluster.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    clients: { type: 'string', default: '8' },
    fsync: { type: 'string', default: 'always' },
    seed: { type: 'string' },
  },
});
const durationMs = Number(values.minutes) * 60_000;
const clients = Number(values.clients);
/** After a process is back, requests may still fail for this long (reconnections, a replica's first reads). */
const SETTLE_MS = 3000;
/** Short-TTL agents registered at the start and never heartbeated: the worker must expire each, whatever dies. */
const SHORT_TTL_AGENTS = 20;
const SWEEP_INTERVAL_SECONDS = 2;

interface Outage {
  member: string;
  from: number;
  to: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes: number | undefined) => (bytes === undefined ? 'gone' : `${(bytes / 1048576).toFixed(0)} MB`);

async function main(): Promise<void> {
  const seed = values.seed === undefined ? Date.now() % 1_000_000 : Number(values.seed);
  // The chaos's choices only: a `--seed` makes them repeatable.
  const random = seededRandom(seed);
  const redis = await redisMember(values.fsync as string);
  const env = {
    REDIS_URL: redis.url,
    REDIS_PREFIX: 'a2a:{soak}:',
    SWEEP_INTERVAL_SECONDS: String(SWEEP_INTERVAL_SECONDS),
    HEARTBEAT_GRACE_SECONDS: '3600',
  };
  const api = [await registryMember('api-1', 'api', env), await registryMember('api-2', 'api', env)];
  const worker = await registryMember('worker', 'worker', env);
  const members: Member[] = [redis, ...api, worker];
  const rssAtStart = new Map(members.map((m) => [m.name, rssOf(m.pid())]));

  const log: TrafficLog = { sent: [], acknowledged: new Map(), deleted: new Set(), wrong: [] };
  const shortTtl: string[] = [];
  for (let i = 0; i < SHORT_TTL_AGENTS; i++) {
    const id = `short-ttl-${i}`;
    const card = { name: id, description: 'Expires', version: '1.0.0', supportedInterfaces: [{ url: `https://${id}.soak.example/a2a`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' }], capabilities: {}, defaultInputModes: ['text/plain'], defaultOutputModes: ['text/plain'], skills: [{ id: 'expiring', name: 'E', description: 'E', tags: ['e'] }] };
    const res = await fetch(`${api[0]?.origin}/agents/${id}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ agent_card: card, heartbeat_ttl_seconds: 5 }) });
    if (res.ok) shortTtl.push(id);
    await res.arrayBuffer();
  }

  const startedAt = Date.now();
  const until = startedAt + durationMs;
  const outages: Outage[] = [];
  const chaos = (async () => {
    // The last minute (or fifth) runs without faults, so that the end state is read from a whole cluster.
    const quietFrom = until - Math.min(60_000, durationMs / 5);
    for (;;) {
      await sleep(15_000 + random() * 30_000);
      if (Date.now() > quietFrom) return;
      const target = members[Math.floor(random() * members.length)] as Member;
      const from = Date.now();
      target.kill();
      await sleep(500 + random() * 4500);
      await target.restart();
      outages.push({ member: target.name, from, to: Date.now() });
    }
  })();
  await Promise.all([chaos, ...Array.from({ length: clients }, () => client(api, until, log))]);
  await sleep(SETTLE_MS);

  // What stands at the end, read through the first replica.
  const read = async (id: string) => {
    const res = await fetch(`${api[0]?.origin}/agents/${id}`);
    return res.status === 200 ? ((await res.json()) as { revision: number; status: string }) : (await res.arrayBuffer(), undefined);
  };
  let lost = 0;
  let older = 0;
  for (const [id, known] of log.acknowledged) {
    const record = await read(id);
    if (!record) lost++;
    else if (record.revision < known.revision) older++;
  }
  let resurrected = 0;
  for (const id of log.deleted) if (await read(id)) resurrected++;
  let notExpired = 0;
  for (const id of shortTtl) if ((await read(id))?.status === 'active') notExpired++;
  const rssAtEnd = new Map(members.map((m) => [m.name, rssOf(m.pid())]));
  for (const member of [...api, worker, redis]) await member.stop();

  // A request counts as inside an outage when it overlapped the time from a kill to SETTLE_MS after the restart.
  const inside = ({ at, end, replica }: Sent) =>
    outages.some((o) => (o.member === 'redis' || o.member === replica) && end >= o.from && at <= o.to + SETTLE_MS);
  const failures = log.sent.filter((s) => s.status === 0 || s.status >= 500);
  const outsideFailures = failures.filter((s) => !inside(s));
  const when = (s: Sent) => `${s.status || 'no answer'} from ${s.replica} at ${((s.at - startedAt) / 1000).toFixed(1)} s`;
  const byStatus = (list: typeof failures) => [...new Set(list.map((s) => s.status))].sort().map((status) => `${status || 'no answer'}: ${list.filter((s) => s.status === status).length}`).join(', ') || 'none';

  const minutes = (Date.now() - startedAt) / 60_000;
  const lines = [
    `### Soak run: ${values.minutes} min, ${clients} clients, AOF appendfsync ${values.fsync}, chaos seed ${seed}`,
    '',
    `- Requests sent: ${log.sent.length} (${(log.sent.length / (minutes * 60)).toFixed(0)}/s); answered 2xx–4xx: ${log.sent.length - failures.length}.`,
    `- Faults (kill -9, then a start on the same port): ${outages.map((o) => `${o.member} at ${((o.from - startedAt) / 1000).toFixed(0)} s for ${((o.to - o.from) / 1000).toFixed(1)} s`).join('; ') || 'none'}.`,
    `- 5xx or no answer inside outage windows (a kill until ${SETTLE_MS / 1000} s after the restart): ${byStatus(failures.filter(inside))}.`,
    `- 5xx or no answer outside them: ${byStatus(outsideFailures)}${outsideFailures.length ? ` (${outsideFailures.slice(0, 5).map(when).join('; ')})` : ''}.`,
    `- Wrong answers (another agent, a revision older than one acknowledged, a search hit without the skill): ${log.wrong.length}${log.wrong.length ? ` (${log.wrong.slice(0, 3).join('; ')})` : ''}.`,
    `- Acknowledged registrations: ${log.acknowledged.size + log.deleted.size}; lost: ${lost}; read back older than acknowledged: ${older}; acknowledged removals undone: ${resurrected} of ${log.deleted.size}.`,
    `- Short-TTL agents (5 s, never heartbeated) still active at the end: ${notExpired} of ${shortTtl.length}.`,
    `- RSS at start → end: ${members.map((m) => `${m.name} ${mb(rssAtStart.get(m.name))} → ${mb(rssAtEnd.get(m.name))}`).join(', ')} (a restarted process is measured anew).`,
  ];
  console.log(lines.join('\n'));
}

await main();
process.exit(0);
