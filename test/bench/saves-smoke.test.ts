import { describe, expect, it } from 'vitest';
import { runBenchTool } from '../helpers/bench-tools.js';

/** Runs `npm run bench:saves`'s tool. */
const runSaves = (args: string[]) => runBenchTool('bench/saves/main.ts', args);

/** The cells of the table's row that begins with `label`, as numbers after the label. */
function rowOf(output: string, label: string): number[] {
  const line = output.split('\n').find((each) => each.startsWith(`| ${label} |`));
  expect(line, output).toBeDefined();
  return (line as string)
    .split('|')
    .slice(2, -1)
    .map((cell) => Number(cell.trim()));
}

describe('the save script comparison, in a short run', () => {
  it('seeds a catalogue per script and reports what registrations cost each Redis, at once and one at a time', async () => {
    const { code, output } = await runSaves(['--agents', '60', '--rounds', '2', '--saves', '40', '--alone', '5', '--in-flight', '16', '--against', 'HEAD']);
    expect(code, output).toBe(0);
    expect(output).toContain('this checkout: seeded 60 agents');
    expect(output).toContain('HEAD: seeded 60 agents');
    const loaded = rowOf(output, '16 at once');
    const alone = rowOf(output, 'one at a time');
    for (const [mineCpu, theirsCpu, cpuRatio, mineScript, theirsScript, scriptRatio, mineBatch, theirsBatch] of [loaded, alone]) {
      for (const micros of [mineCpu, theirsCpu, mineScript, theirsScript]) expect(micros).toBeGreaterThan(0);
      expect(cpuRatio).toBeCloseTo((mineCpu as number) / (theirsCpu as number), 1);
      expect(scriptRatio).toBeCloseTo((mineScript as number) / (theirsScript as number), 1);
      expect(mineBatch).toBeGreaterThanOrEqual(1);
      expect(theirsBatch).toBeGreaterThanOrEqual(1);
    }
    // Saves that wait together go in one script run; one at a time, each has its own.
    expect(loaded[6]).toBeGreaterThan(1);
    expect(alone[6]).toBe(1);
    expect(alone[7]).toBe(1);
  }, 120_000);

  it('refuses an odd number of rounds, before it starts anything', async () => {
    const { code, output } = await runSaves(['--rounds', '3']);
    expect(code).not.toBe(0);
    expect(output).toContain('--rounds takes an even whole number');
    expect(output).not.toContain('seeded');
  });
});
