import { freePort } from '../../scripts/local-redis.js';
import { LOCAL_MASTER_NAME, LocalSentinelSet } from '../../scripts/local-sentinel.js';
import { redisKeys } from '../../src/store/redis-keys.js';
import { startNodeProcess, type RunningProcess } from '../harness/processes.js';
import { benchCard } from '../scenarios.js';

/** How the primary fails: killed (kill -9), or frozen (SIGSTOP) so that it still holds its clients' sockets. */
export type FailoverMode = 'kill' | 'freeze';

export interface FailoverLossOptions {
  mode: FailoverMode;
  failovers: number;
  /** REDIS_WAIT_REPLICAS of the registry under test. */
  waitReplicas: number;
  /** Concurrent connections registering agents, one request at a time each. @defaultValue 6 */
  clients?: number;
  /** Five consecutive ports for the two servers and three Sentinels. @defaultValue free ports */
  basePort?: number;
  /** More `redis-server` arguments for both servers, such as `--min-replicas-to-write 1`. @defaultValue none */
  serverArgs?: string[];
}

/** What one run measured; times in seconds. */
export interface FailoverLoss {
  mode: FailoverMode;
  waitReplicas: number;
  /** The extra `redis-server` arguments of the run. */
  serverArgs: string[];
  failovers: number;
  /** Registrations answered 2xx. */
  acknowledged: number;
  /** Answered 503 (write_unconfirmed, or Redis unavailable) or not at all. */
  unavailable: number;
  /** Acknowledged registrations the final primary does not hold. */
  lost: number;
  /** Of those, the ones the registry still served (a replica cache holding a write its Redis lost). */
  lostButServed: number;
  /**
   * For each lost registration acknowledged before a fault (the writes asynchronous replication had
   * not yet copied), seconds from its acknowledgement to that fault.
   */
  lostAcknowledgedBeforeFault: number[];
  /**
   * For each lost registration acknowledged during a failover (from the fault until the old primary
   * had rejoined as a replica and caught up), seconds from the fault to its acknowledgement: a write
   * the old primary took after the Sentinels had left it, or one the new primary took while it had
   * no replica in sync and lost at the next fault.
   */
  lostAcknowledgedDuringFailover: number[];
  /** Per failover: from the fault to the first registration acknowledged after it. */
  recoverySeconds: number[];
  /** Per failover: from the first 503 after the fault to the last one before recovery. */
  unavailableSeconds: number[];
}

interface Answer {
  id: string;
  startedAt: number;
  answeredAt: number;
  status: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const acknowledged = (answer: Answer) => answer.status >= 200 && answer.status < 300;

/** Registering clients, each sending one request at a time under an id of its own, until stopped. */
function registerLoad(origin: string, clients: number) {
  const answers: Answer[] = [];
  let stopped = false;
  const client = async (c: number) => {
    for (let n = 0; !stopped; n++) {
      const id = `failover-${c}-${n}`;
      const startedAt = Date.now();
      const response = await fetch(`${origin}/agents/${id}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ agent_card: benchCard(n * clients + c) }),
      }).catch(() => undefined);
      await response?.arrayBuffer();
      answers.push({ id, startedAt, answeredAt: Date.now(), status: response?.status ?? 0 });
      // A breath between requests: the machine is shared, and losses depend on timing, not volume.
      await sleep(response?.ok ? 5 : 50);
    }
  };
  const running = Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
  return {
    answers,
    stop: async () => {
      stopped = true;
      await running;
    },
  };
}

/** Recovery and 503 window of the failover at `faultAt`, from the answers that followed it. */
function windowAfter(answers: Answer[], faultAt: number): { recovery: number; unavailable: number } {
  const after = answers.filter((answer) => answer.answeredAt >= faultAt).sort((a, b) => a.answeredAt - b.answeredAt);
  const recovered = after.find((answer) => acknowledged(answer) && answer.startedAt >= faultAt);
  const end = recovered?.answeredAt ?? Infinity;
  const failures = after.filter((answer) => !acknowledged(answer) && answer.answeredAt <= end);
  const unavailable = failures.length ? ((failures.at(-1) as Answer).answeredAt - (failures[0] as Answer).answeredAt) / 1000 : 0;
  return { recovery: (end - faultAt) / 1000, unavailable };
}

/** One failover: from the fault until the old primary was back as a replica in sync. */
interface Failover {
  faultAt: number;
  rejoinedAt: number;
}

/**
 * When each lost registration was acknowledged: during a failover (seconds after its fault), or
 * before one (seconds before the first fault after it; Infinity when none followed it).
 */
function lostTimings(answers: Answer[], lost: Set<string>, failovers: Failover[]): { before: number[]; during: number[] } {
  const timings = { before: [] as number[], during: [] as number[] };
  for (const answer of answers.filter((each) => acknowledged(each) && lost.has(each.id))) {
    const during = failovers.find(({ faultAt, rejoinedAt }) => answer.answeredAt >= faultAt && answer.answeredAt <= rejoinedAt);
    if (during) {
      timings.during.push((answer.answeredAt - during.faultAt) / 1000);
      continue;
    }
    const next = failovers.find(({ faultAt }) => faultAt >= answer.answeredAt);
    timings.before.push(next === undefined ? Infinity : (next.faultAt - answer.answeredAt) / 1000);
  }
  return timings;
}

/** The acknowledged ids the server on `port` does not hold. */
async function missingOn(sentinels: LocalSentinelSet, port: number, prefix: string, ids: string[]): Promise<string[]> {
  const keys = redisKeys(prefix);
  const redis = sentinels.connect(port);
  try {
    const missing: string[] = [];
    for (let i = 0; i < ids.length; i += 1000) {
      const batch = ids.slice(i, i + 1000);
      const pipeline = redis.pipeline();
      for (const id of batch) pipeline.exists(keys.agent(id));
      const replies = (await pipeline.exec()) ?? [];
      replies.forEach(([, exists], index) => exists === 0 && missing.push(batch[index] as string));
    }
    return missing;
  } finally {
    redis.disconnect();
  }
}

/**
 * A primary, a replica and three Sentinels on loopback, one API process configured for Sentinel
 * with `waitReplicas`, a register load, and `failovers` faults of the primary (each followed by
 * the old primary rejoining as a replica, as an orchestrator restarts a pod). Counts the
 * acknowledged registrations missing on the final primary, and asks the registry for each of them.
 */
export async function measureFailoverLoss(options: FailoverLossOptions): Promise<FailoverLoss> {
  const ports = options.basePort
    ? Array.from({ length: 5 }, (_, i) => (options.basePort as number) + i)
    : await Promise.all(Array.from({ length: 5 }, () => freePort()));
  const sentinels = new LocalSentinelSet({
    serverPorts: [ports[0], ports[1]] as [number, number],
    sentinelPorts: ports.slice(2) as [number, number, number],
    serverArgs: options.serverArgs ?? [],
  });
  const prefix = `a2a:{failover-${options.mode}-${options.waitReplicas}}:`;
  let api: RunningProcess | undefined;
  try {
    await sentinels.start();
    const port = await freePort();
    api = await startNodeProcess('dist/main.js', [], port, {
      PORT: String(port),
      HOST: '127.0.0.1',
      REDIS_URL: '',
      REDIS_SENTINELS: sentinels.sentinelList,
      REDIS_SENTINEL_MASTER: LOCAL_MASTER_NAME,
      REDIS_PREFIX: prefix,
      REDIS_WAIT_REPLICAS: String(options.waitReplicas),
      ROLE: 'api',
      LOG_LEVEL: 'error',
      ACCESS_LOG: 'false',
    }, '/ready');
    const load = registerLoad(api.origin, options.clients ?? 6);
    const windows: { recovery: number; unavailable: number }[] = [];
    const failovers: Failover[] = [];
    try {
      for (let f = 0; f < options.failovers; f++) {
        await sleep(500 + Math.random() * 1000);
        const oldPort = options.mode === 'kill' ? await sentinels.killPrimary() : await sentinels.freezePrimary();
        const faultAt = Date.now();
        await sentinels.failedOver(oldPort);
        await sentinels.rejoin(oldPort);
        failovers.push({ faultAt, rejoinedAt: Date.now() });
        const seenSince = load.answers.length;
        while (!load.answers.slice(seenSince).some(acknowledged)) await sleep(50);
        windows.push(windowAfter(load.answers, faultAt));
      }
      await sleep(500);
    } finally {
      await load.stop();
    }
    const ids = [...new Set(load.answers.filter(acknowledged).map((answer) => answer.id))];
    const lost = await missingOn(sentinels, await sentinels.primaryPort(), prefix, ids);
    const timings = lostTimings(load.answers, new Set(lost), failovers);
    let lostButServed = 0;
    for (const id of lost) {
      const response = await fetch(`${api.origin}/agents/${id}`);
      await response.arrayBuffer();
      if (response.status === 200) lostButServed++;
    }
    return {
      mode: options.mode,
      waitReplicas: options.waitReplicas,
      serverArgs: options.serverArgs ?? [],
      failovers: options.failovers,
      acknowledged: ids.length,
      unavailable: load.answers.filter((answer) => !acknowledged(answer)).length,
      lost: lost.length,
      lostButServed,
      lostAcknowledgedBeforeFault: timings.before,
      lostAcknowledgedDuringFailover: timings.during,
      recoverySeconds: windows.map((w) => w.recovery),
      unavailableSeconds: windows.map((w) => w.unavailable),
    };
  } finally {
    await api?.stop();
    await sentinels.stop();
  }
}
