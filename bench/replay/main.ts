/**
 * The search script's own Redis time, query by query, and a comparison with another revision's
 * script on the same data. The harness's end-to-end runs move by up to 2× between runs on a shared
 * machine; this measures only the script, each query several times with both scripts in turn, and
 * keeps each one's fastest run, so a change of a few per cent shows. Fastest runs find the query's
 * keys warm in the CPU's caches: sent once among other queries, as a registry sends them, a call
 * costs Redis more (about 1.5 times as much for `search` at 1,000,000 agents, bench/RESULTS.md).
 *
 * `npm run bench:replay -- [--agents 100000] [--against HEAD~1] [--runs 6] [--scenarios search,...]
 * [--redis-url URL] [--totals]`. It seeds the bench cards (through the registry's store, as the
 * harness does), sends each scenario's sampled requests once to a registry and records the search script's
 * arguments from Redis's MONITOR, then runs every recorded call with this checkout's script and,
 * with `--against`, the script of that git revision. Given `--redis-url`, the seeded agents stay
 * under their prefix, so the next run on the same Redis skips seeding (a million take minutes).
 * With `--totals`, it also counts the true total of each call whose total was estimated, by running
 * it again from the first match with no budget, and says how far each script's estimates were from
 * it: that walk lists every match, so it suits the scenarios that match few agents (`search`).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { freePort, startRedisServer } from '../../scripts/local-redis.js';
import { scriptSource } from '../../src/store/redis-agent-store.js';
import { scriptTime } from '../harness/redis-admin.js';
import { seedThroughStore } from '../harness/seeding.js';
import { startNodeProcess } from '../harness/processes.js';
import { workload } from '../harness/workload.js';
import { SEARCH_SHAPES, type SearchScenarioName } from '../scenarios.js';

const SEARCH_SCRIPT = 'search-agents';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '100000' },
    against: { type: 'string' },
    runs: { type: 'string', default: '6' },
    scenarios: { type: 'string', default: ['search', ...SEARCH_SHAPES].join(',') },
    'redis-url': { type: 'string' },
    totals: { type: 'boolean', default: false },
  },
});
const agents = Number(values.agents);
const runs = Number(values.runs);
const scenarios = values.scenarios.split(',') as SearchScenarioName[];
const known = new Set<string>(['search', ...SEARCH_SHAPES]);
if (!Number.isInteger(agents) || agents < 10) throw new Error('--agents takes a whole number of at least 10');
// Each script runs first in half the runs: an odd number would give one of them an extra warm run.
if (!Number.isInteger(runs) || runs < 2 || runs % 2 !== 0) throw new Error('--runs takes an even whole number of at least 2');
for (const scenario of scenarios) if (!known.has(scenario)) throw new Error(`--scenarios: ${scenario} is not a search scenario (${[...known].join(', ')})`);

/** The search script of git revision `revision`, from the same library files this checkout's uses. */
const scriptAt = (revision: string) =>
  scriptSource(SEARCH_SCRIPT, (path) => execFileSync('git', ['show', `${revision}:src/store/lua/${path}.lua`], { encoding: 'utf8' }));

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

/**
 * The search script calls the registry makes for `paths`, as Redis received them (arguments after
 * the SHA). A path asked again may be answered from the registry's page cache, with no call.
 */
async function recordCalls(redisUrl: string, prefix: string, paths: readonly string[]): Promise<string[][]> {
  const port = await freePort();
  const env = { PORT: String(port), HOST: '127.0.0.1', REDIS_URL: redisUrl, REDIS_PREFIX: prefix, ROLE: 'api', LOG_LEVEL: 'warn' };
  const registry = await startNodeProcess('dist/main.js', [], port, env, '/ready');
  const client = new Redis(redisUrl);
  const monitor = await client.monitor();
  const searchSha = sha1(scriptSource(SEARCH_SCRIPT));
  const calls: string[][] = [];
  monitor.on('monitor', (_time: string, args: string[]) => {
    if (args[0]?.toLowerCase() === 'evalsha' && args[1] === searchSha) calls.push(args.slice(2));
  });
  try {
    for (const path of paths) {
      const res = await fetch(`${registry.origin}${path}`);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
    }
    // MONITOR's last lines may still be on their way.
    await new Promise((r) => setTimeout(r, 200));
  } finally {
    monitor.disconnect();
    client.disconnect();
    await registry.stop();
  }
  return calls;
}

interface ScriptTimes {
  /** Per call, the fastest of its runs, in microseconds. */
  fastest: number[];
  /** The answer of each call. */
  answers: string[];
}

/**
 * Runs every call `runs` times with each script in turn (scripts loaded already, by SHA). The
 * order of the scripts alternates from run to run: the second to run a call finds the keys it
 * reads warmer in the CPU's caches, so each must be second equally often.
 */
async function replay(redis: Redis, shas: readonly string[], calls: readonly string[][]): Promise<ScriptTimes[]> {
  const times: ScriptTimes[] = shas.map(() => ({ fastest: [], answers: [] }));
  for (const call of calls) {
    const fastest = shas.map(() => Infinity);
    for (let run = 0; run < runs; run++) {
      const order = run % 2 === 0 ? [...shas.keys()] : [...shas.keys()].reverse();
      for (const i of order) {
        const sha = shas[i] as string;
        await redis.config('RESETSTAT');
        const answer = await redis.evalsha(sha, ...(call as [string]));
        fastest[i] = Math.min(fastest[i] as number, (await scriptTime(redis)).usec);
        if (run === 0) (times[i] as ScriptTimes).answers.push(JSON.stringify(answer));
      }
    }
    for (const [i, micros] of fastest.entries()) (times[i] as ScriptTimes).fastest.push(micros);
  }
  return times;
}

const mean = (numbers: readonly number[]) => numbers.reduce((sum, n) => sum + n, 0) / Math.max(1, numbers.length);

/**
 * The positions in a recorded call (numkeys, the one key, then the ARGV that the head of
 * `src/store/lua/search-agents.lua` lists) of the arguments that place and bound its walk and its count.
 */
const CALL_AT = { tier: 8, after: 9, wanted: 10, budget: 11, countBudget: 14 } as const;
/** What the script answers at these positions: the total, and '1' when it is exact. */
const ANSWER_AT = { total: 3, exact: 4 } as const;
const UNBOUNDED = '1000000000000';
/** What an answer found, apart from its total and its cost: the hits, and the tier and number where the walk stopped. */
const hitsOf = (answer: string) => JSON.stringify((JSON.parse(answer) as unknown[]).slice(0, ANSWER_AT.total));

/**
 * The true total of a recorded call: the same call from the first match, wanting every match, with
 * no walk or count budget, so that the walk sees every match and the total is exact.
 */
async function trueTotal(redis: Redis, sha: string, call: readonly string[]): Promise<number> {
  const unbounded = [...call];
  unbounded[CALL_AT.tier] = '0';
  unbounded[CALL_AT.after] = '0';
  for (const at of [CALL_AT.wanted, CALL_AT.budget, CALL_AT.countBudget]) unbounded[at] = UNBOUNDED;
  const answer = (await redis.evalsha(sha, ...(unbounded as [string]))) as string[];
  if (answer[ANSWER_AT.exact] !== '1') throw new Error(`the unbounded walk of a call answered an estimate: ${JSON.stringify(call)}`);
  return Number(answer[ANSWER_AT.total]);
}

/**
 * For the calls whose total either script estimated, the mean distance of each script's total from
 * the true one, as |ln((total + 1) / (true + 1))|: 0.69 is a factor of two either way.
 */
async function estimateErrors(redis: Redis, sha: string, calls: readonly string[][], times: readonly ScriptTimes[]): Promise<{ calls: number; errors: number[] }> {
  const distances = times.map(() => [] as number[]);
  let estimated = 0;
  for (const [i, call] of calls.entries()) {
    const answers = times.map(({ answers: all }) => JSON.parse(all[i] as string) as string[]);
    if (answers.every((answer) => answer[ANSWER_AT.exact] === '1')) continue;
    estimated++;
    const truth = await trueTotal(redis, sha, call);
    answers.forEach((answer, s) => distances[s]?.push(Math.abs(Math.log((Number(answer[ANSWER_AT.total]) + 1) / (truth + 1)))));
  }
  return { calls: estimated, errors: distances.map(mean) };
}

async function main(): Promise<void> {
  const ownRedis = values['redis-url'] ? undefined : await startRedisServer(await freePort());
  const redisUrl = values['redis-url'] ?? (ownRedis?.url as string);
  const prefix = `bench:{replay-${agents}}:`;
  const redis = new Redis(redisUrl);
  try {
    const seeded = Number((await redis.get(`${prefix}agent-numbers`)) ?? 0);
    if (seeded === 0) console.log(`seeded ${agents} agents in ${(await seedThroughStore(redisUrl, prefix, agents)).toFixed(1)} s`);
    else if (seeded !== agents) throw new Error(`${prefix} on ${redisUrl} holds ${seeded} agents, not ${agents}: delete its keys or ask for ${seeded}`);

    const scripts = [{ name: 'this checkout', text: scriptSource(SEARCH_SCRIPT) }];
    if (values.against) scripts.push({ name: values.against, text: scriptAt(values.against) });
    const shas = await Promise.all(scripts.map(({ text }) => redis.script('LOAD', text) as Promise<string>));

    const work = workload(agents);
    const header = ['scenario', 'calls', ...scripts.map(({ name }) => `${name}: µs per call`)];
    if (scripts.length === 2) header.push('ratio', 'calls faster / slower', 'different answers', 'of them, different hits');
    console.log(`\nSearch script time at ${agents} agents (each call's fastest of ${runs} runs, scripts in turn; mean over the calls):\n`);
    console.log(`| ${header.join(' | ')} |\n| --- |${' ---: |'.repeat(header.length - 1)}`);
    const totalRows: string[] = [];
    for (const scenario of scenarios) {
      const calls = await recordCalls(redisUrl, prefix, work.searchPaths[scenario]);
      const [mine, theirs] = await replay(redis, shas, calls);
      if (values.totals) {
        const { calls: estimated, errors } = await estimateErrors(redis, shas[0] as string, calls, [mine, theirs].filter((t) => t !== undefined));
        totalRows.push(`| ${[scenario, String(estimated), ...errors.map((e) => e.toFixed(2))].join(' | ')} |`);
      }
      const row = [scenario, String(calls.length), ...[mine, theirs].flatMap((times) => (times ? [mean(times.fastest).toFixed(0)] : []))];
      if (mine && theirs) {
        const faster = mine.fastest.filter((micros, i) => micros < (theirs.fastest[i] as number)).length;
        const slower = mine.fastest.filter((micros, i) => micros > (theirs.fastest[i] as number)).length;
        const different = mine.answers.filter((answer, i) => answer !== theirs.answers[i]).length;
        const differentHits = mine.answers.filter((answer, i) => hitsOf(answer) !== hitsOf(theirs.answers[i] as string)).length;
        row.push((mean(mine.fastest) / mean(theirs.fastest)).toFixed(2), `${faster} / ${slower}`, String(different), String(differentHits));
      }
      console.log(`| ${row.join(' | ')} |`);
    }
    if (values.totals) {
      const columns = ['scenario', 'calls with an estimated total', ...scripts.map(({ name }) => `${name}: mean abs. ln(total / true total)`)];
      console.log(`\nEstimated totals against the true ones (counted by the same call with no budget, from the first match):\n`);
      console.log(`| ${columns.join(' | ')} |\n| --- |${' ---: |'.repeat(columns.length - 1)}`);
      for (const row of totalRows) console.log(row);
    }
  } finally {
    redis.disconnect();
    await ownRedis?.stop();
  }
}

await main();
