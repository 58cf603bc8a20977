import { describe, expect, it } from 'vitest';
import { measureFailoverLoss } from '../../bench/failover/failover-loss.js';
import { sentinelInstalled } from '../../scripts/local-sentinel.js';

/**
 * What a Sentinel failover loses, the suite's short version of `npm run bench:failover` (which
 * fails over 10 times per row for the figures of docs/operations.md): with REDIS_WAIT_REPLICAS=1
 * no acknowledged registration is lost, whether the primary is killed or frozen, and in no case
 * does the registry serve a registration the new primary lacks.
 */
describe.skipIf(!sentinelInstalled())('acknowledged writes across Sentinel failovers (needs redis-sentinel on PATH: apt-get install redis-sentinel)', () => {
  it.each(['kill', 'freeze'] as const)('with REDIS_WAIT_REPLICAS=1 and the primary failed by %s, none is lost', { timeout: 80_000 }, async (mode) => {
    const loss = await measureFailoverLoss({ mode, failovers: 2, waitReplicas: 1, clients: 4 });
    expect(loss.acknowledged).toBeGreaterThan(50);
    expect(loss.lost).toBe(0);
    expect(loss.lostButServed).toBe(0);
    expect(loss.recoverySeconds).toHaveLength(2);
  });
});
