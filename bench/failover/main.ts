/**
 * What a Sentinel failover loses, measured: for each fault (kill -9, SIGSTOP of the primary) and
 * each REDIS_WAIT_REPLICAS (0 and 1), a register load against a registry configured for Sentinel
 * while the primary fails `--failovers` times. Prints the table docs/operations.md quotes.
 * `npm run bench:failover -- [--failovers 10] [--clients 6] [--base-port 6411] [--faults kill,freeze] [--waits 0,1]
 * [--server-args='--min-replicas-to-write 1 --min-replicas-max-lag 2']`
 */
import { parseArgs } from 'node:util';
import { measureFailoverLoss, type FailoverLoss, type FailoverMode } from './failover-loss.js';

const { values } = parseArgs({
  options: {
    failovers: { type: 'string', default: '10' },
    clients: { type: 'string', default: '6' },
    'base-port': { type: 'string' },
    faults: { type: 'string', default: 'kill,freeze' },
    waits: { type: 'string', default: '0,1' },
    'server-args': { type: 'string', default: '' },
  },
});

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};
const seconds = (values: number[]) => `${percentile(values, 50).toFixed(1)} / ${Math.max(...values).toFixed(1)}`;

function row(loss: FailoverLoss): string {
  const mode = loss.mode === 'kill' ? 'kill -9' : 'SIGSTOP';
  return `| ${mode} | ${loss.waitReplicas}${loss.serverArgs.length ? ` (\`${loss.serverArgs.join(' ')}\`)` : ''} | ${loss.failovers} | ${loss.acknowledged} | ${loss.unavailable} | ${loss.lost} | ${loss.lostButServed} | ${seconds(loss.unavailableSeconds)} | ${seconds(loss.recoverySeconds)} |`;
}

async function main(): Promise<void> {
  const results: FailoverLoss[] = [];
  for (const waitReplicas of values.waits.split(',').map(Number)) {
    for (const mode of values.faults.split(',') as FailoverMode[]) {
      const loss = await measureFailoverLoss({
        mode,
        waitReplicas,
        failovers: Number(values.failovers),
        clients: Number(values.clients),
        serverArgs: values['server-args'].split(' ').filter(Boolean),
        ...(values['base-port'] ? { basePort: Number(values['base-port']) } : {}),
      });
      results.push(loss);
      console.error(row(loss));
      const { lostAcknowledgedBeforeFault: before, lostAcknowledgedDuringFailover: during } = loss;
      if (before.length) console.error(`  ${before.length} lost writes acknowledged ${Math.min(...before).toFixed(2)} to ${Math.max(...before).toFixed(2)} s before a fault`);
      if (during.length) console.error(`  ${during.length} lost writes acknowledged during a failover, ${Math.min(...during).toFixed(2)} to ${Math.max(...during).toFixed(2)} s after the fault`);
    }
  }
  console.log(
    `Sentinel failovers, ${values.clients} clients registering (seconds as median / max per failover):\n` +
      '| Fault | REDIS_WAIT_REPLICAS | Failovers | Acknowledged (2xx) | 503 answers | Acknowledged and lost | Lost but still served | Seconds of 503 | Seconds to recover |\n' +
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n' +
      results.map(row).join('\n'),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
