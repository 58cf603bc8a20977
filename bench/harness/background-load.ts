/**
 * A closed-loop load in a process of its own, so that it does not share the event loop of the
 * driver whose latencies it disturbs: `connections` connections send GETs of the paths in
 * `paths.json` in turn until SIGTERM. It prints `started` once the load is under way, and at the
 * end the load's DriveResult as JSON.
 * Usage: background-load.ts <origin> <connections> <paths.json>
 */
import { readFileSync } from 'node:fs';
import { drive } from './load-driver.js';

const [origin, connections, pathsFile] = process.argv.slice(2) as [string, string, string];
const paths = JSON.parse(readFileSync(pathsFile, 'utf8')) as string[];
const stop = new AbortController();
process.once('SIGTERM', () => stop.abort());
let next = 0;
const load = drive({
  origin,
  connections: Number(connections),
  durationMs: Number.MAX_SAFE_INTEGER,
  next: () => ({ method: 'GET', path: paths[next++ % paths.length] as string }),
  signal: stop.signal,
});
process.stdout.write('started\n');
process.stdout.write(JSON.stringify(await load));
