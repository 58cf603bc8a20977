/**
 * What a registration costs Redis, with this checkout's scripts and, with `--against`, another
 * revision's, on the same catalogue in turns. The harness's end-to-end register runs move by up to
 * 2× between runs on a shared machine, and a save script's change of a tenth is lost in that; here
 * each script has a Redis of its own, seeded alike, and the two take turns registering the same new
 * cards, so the machine's slow and fast spells fall on both.
 *
 * `npm run bench:saves -- [--agents 10000] [--against HEAD~1] [--rounds 6] [--saves 1000] [--alone 100] [--in-flight 32]`.
 * Each round registers `--saves` new cards with `--in-flight` registrations at once (as under load:
 * the store sends the saves that wait together, in one script run) and then `--alone` one at a time,
 * through the registry's service and store (bench/harness/seed-worker.ts). The other revision's
 * scripts run in a copy of this checkout's build with its `src/store/lua/` put in their place: the
 * scripts must take the arguments this checkout's store sends.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { freePort, startRedisServer, type LocalRedis } from '../../scripts/local-redis.js';
import { redisCpuUs } from '../harness/cpu-time.js';
import { REPO_ROOT, runScript } from '../harness/processes.js';
import { scriptTime } from '../harness/redis-admin.js';
import { seedThroughStore } from '../harness/seeding.js';

const LUA_DIR = 'src/store/lua';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '10000' },
    against: { type: 'string' },
    rounds: { type: 'string', default: '6' },
    saves: { type: 'string', default: '1000' },
    alone: { type: 'string', default: '100' },
    'in-flight': { type: 'string', default: '32' },
  },
});
const wholeNumber = (name: keyof typeof values, least: number): number => {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < least) throw new Error(`--${name} takes a whole number of at least ${least}`);
  return value;
};
const agents = wholeNumber('agents', 1);
// Each script goes first in half the rounds.
const rounds = wholeNumber('rounds', 2);
if (rounds % 2 !== 0) throw new Error('--rounds takes an even whole number');
const savesPerRound = wholeNumber('saves', 1);
const alonePerRound = wholeNumber('alone', 1);
const inFlight = wholeNumber('in-flight', 2);

/**
 * A copy of this checkout's build whose Lua scripts are those of git revision `revision`, in a new
 * directory with this checkout's package.json and node_modules, so that its modules load as dist/'s do.
 */
function buildWithScriptsOf(revision: string): string {
  const root = mkdtempSync(join(tmpdir(), 'a2a-saves-'));
  try {
    cpSync(join(REPO_ROOT, 'dist'), join(root, 'dist'), { recursive: true });
    cpSync(join(REPO_ROOT, 'package.json'), join(root, 'package.json'));
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
    const scripts = join(root, 'dist/store/lua');
    rmSync(scripts, { recursive: true });
    const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    for (const file of git('ls-tree', '-r', '--name-only', revision, '--', LUA_DIR).split('\n').filter(Boolean)) {
      const target = join(scripts, file.slice(LUA_DIR.length + 1));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, git('show', `${revision}:${file}`));
    }
    return join(root, 'dist');
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
}

/** The scripts one side runs, its Redis, and what its rounds cost that Redis. */
interface Side {
  name: string;
  /** The build the registrations load; undefined for this checkout's dist/. */
  dist: string | undefined;
  redis: LocalRedis;
  admin: Redis;
  loaded: Cost;
  alone: Cost;
}

/** Redis's CPU time, its time inside the save script, the saves and the script runs of a kind of round. */
interface Cost {
  cpuUs: number;
  scriptUs: number;
  saves: number;
  runs: number;
}

const noCost = (): Cost => ({ cpuUs: 0, scriptUs: 0, saves: 0, runs: 0 });

const PREFIX = 'bench:{saves}:';

/** Registers the cards `from`..`to` - 1, `at once` in flight, on `side`, and adds what Redis spent to `cost`. */
async function registerOn(side: Side, from: number, to: number, atOnce: number, cost: Cost): Promise<void> {
  await side.admin.config('RESETSTAT');
  const cpuBefore = await redisCpuUs(side.admin);
  const args = [side.redis.url, PREFIX, 'bench', String(from), String(to), String(atOnce)];
  await runScript('bench/harness/seed-worker.ts', side.dist ? [...args, side.dist] : args);
  const cpuAfter = await redisCpuUs(side.admin);
  const { usec, calls } = await scriptTime(side.admin);
  cost.cpuUs += cpuAfter - cpuBefore;
  cost.scriptUs += usec;
  cost.saves += to - from;
  cost.runs += calls;
}

const perSave = (us: number, cost: Cost) => us / Math.max(1, cost.saves);

function costRow(kind: string, mine: Cost, theirs: Cost | undefined): string {
  const cells = [kind, perSave(mine.cpuUs, mine).toFixed(0)];
  if (theirs) cells.push(perSave(theirs.cpuUs, theirs).toFixed(0), (mine.cpuUs / theirs.cpuUs).toFixed(2));
  cells.push(perSave(mine.scriptUs, mine).toFixed(0));
  if (theirs) cells.push(perSave(theirs.scriptUs, theirs).toFixed(0), (mine.scriptUs / theirs.scriptUs).toFixed(2));
  cells.push((mine.saves / Math.max(1, mine.runs)).toFixed(1));
  if (theirs) cells.push((theirs.saves / Math.max(1, theirs.runs)).toFixed(1));
  return `| ${cells.join(' | ')} |`;
}

function report(sides: readonly Side[]): void {
  const [mine, theirs] = sides as [Side, Side | undefined];
  const names = sides.map(({ name }) => name);
  const columns = ['registrations'];
  for (const what of ['Redis CPU µs a save', 'save script µs a save']) {
    columns.push(...names.map((name) => `${name}: ${what}`));
    if (theirs) columns.push('ratio');
  }
  columns.push(...names.map((name) => `${name}: saves a script run`));
  console.log(
    `\nRedis's time a registration at ${agents} agents (${rounds} rounds, the scripts in turns; each round ${savesPerRound} new cards ${inFlight} at once, then ${alonePerRound} one at a time):\n`,
  );
  console.log(`| ${columns.join(' | ')} |\n| --- |${' ---: |'.repeat(columns.length - 1)}`);
  console.log(costRow(`${inFlight} at once`, mine.loaded, theirs?.loaded));
  console.log(costRow('one at a time', mine.alone, theirs?.alone));
}

async function main(): Promise<void> {
  const dists: { name: string; dist: string | undefined }[] = [{ name: 'this checkout', dist: undefined }];
  if (values.against) dists.push({ name: values.against, dist: buildWithScriptsOf(values.against) });
  const sides: Side[] = [];
  try {
    for (const { name, dist } of dists) {
      const redis = await startRedisServer(await freePort());
      sides.push({ name, dist, redis, admin: new Redis(redis.url), loaded: noCost(), alone: noCost() });
    }
    // Both catalogues are seeded by this checkout's scripts, so the rounds start from the same data.
    for (const side of sides) console.log(`${side.name}: seeded ${agents} agents in ${(await seedThroughStore(side.redis.url, PREFIX, agents)).toFixed(1)} s`);
    let next = agents;
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? sides : [...sides].reverse();
      for (const side of order) await registerOn(side, next, next + savesPerRound, inFlight, side.loaded);
      next += savesPerRound;
      for (const side of order) await registerOn(side, next, next + alonePerRound, 1, side.alone);
      next += alonePerRound;
    }
    report(sides);
  } finally {
    for (const side of sides) {
      side.admin.disconnect();
      await side.redis.stop();
    }
    for (const { dist } of dists) if (dist) rmSync(dirname(dist), { recursive: true, force: true });
  }
}

await main();
