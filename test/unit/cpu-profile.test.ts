import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { profilesTable, summariseProfile } from '../../bench/harness/cpu-profile.js';

const frame = (functionName: string, url = '', lineNumber = -1) => ({ functionName, url, lineNumber });

describe('summariseProfile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'a2a-cpu-profile-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const write = (profile: unknown) => {
    const file = join(dir, 'scenario-1.cpuprofile');
    writeFileSync(file, JSON.stringify(profile));
    return file;
  };

  it('ranks functions by their own time, as shares of the time the process was busy', () => {
    const file = write({
      nodes: [
        { id: 1, callFrame: frame('(root)') },
        { id: 2, callFrame: frame('(idle)') },
        { id: 3, callFrame: frame('register', 'file:///srv/dist/agents/agent-service.js', 16) },
        { id: 4, callFrame: frame('(garbage collector)') },
        { id: 5, callFrame: frame('', 'file:///srv/dist/http/app.js', 39) },
        { id: 6, callFrame: frame('register', 'file:///srv/dist/agents/agent-service.js', 16) },
      ],
      samples: [2, 3, 4, 3, 5, 2, 6],
      timeDeltas: [5000, 300, 200, 300, 200, 9000, 1000],
    });
    const summary = summariseProfile(file, 2);
    expect(summary.busyMs).toBeCloseTo(2, 6);
    expect(summary.hottest).toEqual([
      { name: 'register agents/agent-service.js:17', selfShare: 0.8 },
      { name: '(garbage collector)', selfShare: 0.1 },
    ]);
    expect(summariseProfile(file).hottest.map((f) => f.name)).toContain('(anonymous) http/app.js:40');
  });

  it('reads a profile in which the process only waited', () => {
    const file = write({ nodes: [{ id: 1, callFrame: frame('(idle)') }], samples: [1], timeDeltas: [1000] });
    expect(summariseProfile(file)).toMatchObject({ busyMs: 0, hottest: [] });
  });

  it('tables each profile with its hottest functions', () => {
    const table = profilesTable([
      { file: '/out/100-get-1.cpuprofile', busyMs: 2500, hottest: [{ name: 'get cache/record-cache.js:27', selfShare: 0.125 }, { name: 'writev', selfShare: 0.05 }] },
    ]);
    expect(table.split('\n')).toEqual([
      '| profile | busy s | function (self time) | share |',
      '| --- | ---: | --- | ---: |',
      '| 100-get-1.cpuprofile | 2.5 | `get cache/record-cache.js:27` | 12.5% |',
      '|  |  | `writev` | 5.0% |',
    ]);
  });
});
