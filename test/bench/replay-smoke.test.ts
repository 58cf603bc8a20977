import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runBenchTool } from '../helpers/bench-tools.js';

/** Runs `npm run bench:replay`'s tool. */
const runReplay = (args: string[]) => runBenchTool('bench/replay/main.ts', args);

/** Whether this checkout's Lua scripts are those of HEAD. */
const scriptsAsCommitted = () => {
  try {
    execFileSync('git', ['diff', '--quiet', 'HEAD', '--', 'src/store/lua'], { cwd: REPO_ROOT });
    return true;
  } catch {
    return false;
  }
};

describe('the search script replay, in a short run', () => {
  it('records each scenario\'s search calls and times them with this checkout\'s script and a revision\'s', async () => {
    const { code, output } = await runReplay(['--agents', '60', '--scenarios', 'search,search-rare-skill', '--runs', '2', '--against', 'HEAD']);
    expect(code, output).toBe(0);
    expect(output).toContain('seeded 60 agents');
    const rows = new Map(
      output
        .split('\n')
        .filter((line) => /^\| search/.test(line))
        .map((line) => {
          const [scenario, calls, mine, theirs, ratio, faster, different] = line.split('|').slice(1, -1).map((cell) => cell.trim());
          return [scenario, { calls: Number(calls), mine: Number(mine), theirs: Number(theirs), ratio: Number(ratio), faster, different: Number(different) }];
        }),
    );
    expect([...rows.keys()]).toEqual(['search', 'search-rare-skill']);
    for (const row of rows.values()) {
      // 200 sampled requests; a repeated one may come from the page cache instead.
      expect(row.calls).toBeGreaterThan(0);
      expect(row.calls).toBeLessThanOrEqual(200);
      expect(row.mine).toBeGreaterThan(0);
      expect(row.theirs).toBeGreaterThan(0);
      expect(row.ratio).toBeCloseTo(row.mine / row.theirs, 1);
      expect(row.faster).toMatch(/^\d+ \/ \d+$/);
      if (scriptsAsCommitted()) expect(row.different).toBe(0);
    }
  }, 120_000);

  it('refuses a scenario that does not search, before it starts anything', async () => {
    const { code, output } = await runReplay(['--scenarios', 'register']);
    expect(code).not.toBe(0);
    expect(output).toContain('--scenarios: register is not a search scenario');
  });
});
