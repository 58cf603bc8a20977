import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/** The parts of a V8 `.cpuprofile` (what `node --cpu-prof` writes) that the summary reads. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** A function and its share of the busy time. */
export interface HotFunction {
  /** Function name (`(anonymous)` when it has none) and where it is: `file:line`, 1-based. */
  name: string;
  /** Share of the samples in which the process was not idle that ran this function itself. */
  selfShare: number;
}

export interface ProfileSummary {
  file: string;
  /** Milliseconds the process was busy while profiled. */
  busyMs: number;
  hottest: HotFunction[];
}

/** V8's name for the samples in which the process waited; they are left out of the shares. */
const IDLE = '(idle)';

function nameOf({ functionName, url, lineNumber }: CpuProfile['nodes'][number]['callFrame']): string {
  const name = functionName || '(anonymous)';
  if (url === '') return name;
  return `${name} ${url.replace(/^file:\/\//, '').split('/').slice(-2).join('/')}:${lineNumber + 1}`;
}

/**
 * The `count` functions that ran longest themselves (self time) in a profile written by
 * `node --cpu-prof`, with the garbage collector and native code counted like functions.
 */
export function summariseProfile(file: string, count = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const names = new Map(profile.nodes.map((node) => [node.id, nameOf(node.callFrame)]));
  const selfMicros = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const name = names.get(id) ?? '(unknown)';
    selfMicros.set(name, (selfMicros.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  selfMicros.delete(IDLE);
  const busyMicros = [...selfMicros.values()].reduce((sum, micros) => sum + micros, 0);
  const hottest = [...selfMicros]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, micros]) => ({ name, selfShare: busyMicros > 0 ? micros / busyMicros : 0 }));
  return { file, busyMs: busyMicros / 1000, hottest };
}

/** Markdown: each profile's hottest functions. */
export function profilesTable(summaries: ProfileSummary[]): string {
  const lines = ['| profile | busy s | function (self time) | share |', '| --- | ---: | --- | ---: |'];
  for (const { file, busyMs, hottest } of summaries) {
    hottest.forEach(({ name, selfShare }, i) => {
      const first = i === 0;
      lines.push(`| ${first ? basename(file) : ''} | ${first ? (busyMs / 1000).toFixed(1) : ''} | \`${name}\` | ${(100 * selfShare).toFixed(1)}% |`);
    });
  }
  return lines.join('\n');
}
