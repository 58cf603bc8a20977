import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { WriteUnconfirmedError } from '../../src/errors.js';
import { ReplicaWait } from '../../src/store/replica-wait.js';

/** A connection whose WAITs the test answers one by one, in the order they were sent. */
class FakeConnection extends EventEmitter {
  readonly waits: { args: [number, number]; answer: (replicas: number) => void; fail: (error: Error) => void }[] = [];

  wait(replicas: number, timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => this.waits.push({ args: [replicas, timeoutMs], answer: resolve, fail: reject }));
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

function setUp() {
  const connection = new FakeConnection();
  const counts = { unconfirmed: 0 };
  const wait = new ReplicaWait(connection as unknown as Redis, { replicas: 1, timeoutMs: 500 }, () => counts.unconfirmed++);
  return { connection, wait, counts };
}

describe('ReplicaWait', () => {
  it('confirms a write once enough replicas acknowledged, with one WAIT of the configured count and timeout', async () => {
    const { connection, wait } = setUp();
    const confirmed = wait.confirm(wait.mark(), 'write');
    expect(connection.waits.map((w) => w.args)).toEqual([[1, 500]]);
    connection.waits[0]?.answer(1);
    await expect(confirmed).resolves.toBeUndefined();
  });

  it('makes the writes that finish while a WAIT is out share the next one, sent once that one answers', async () => {
    const { connection, wait } = setUp();
    const first = wait.confirm(wait.mark(), 'first');
    const later = [wait.confirm(wait.mark(), 'second'), wait.confirm(wait.mark(), 'third')];
    expect(connection.waits).toHaveLength(1);
    connection.waits[0]?.answer(1);
    await first;
    await settle();
    expect(connection.waits).toHaveLength(2);
    connection.waits[1]?.answer(1);
    await expect(Promise.all(later)).resolves.toEqual([undefined, undefined]);
  });

  it('answers WriteUnconfirmedError when fewer replicas acknowledged than required, and counts it', async () => {
    const { connection, wait, counts } = setUp();
    const confirmed = wait.confirm(wait.mark(), "Agent 'a' revision 3");
    connection.waits[0]?.answer(0);
    await expect(confirmed).rejects.toThrow(WriteUnconfirmedError);
    await expect(confirmed).rejects.toThrow(/Agent 'a' revision 3 was stored on the Redis primary, but only 0 of the 1 replicas required confirmed it within 500 ms/);
    expect(counts.unconfirmed).toBe(1);
  });

  it('answers WriteUnconfirmedError when the connection closed after the write, whatever the WAIT on the new one says', async () => {
    const { connection, wait } = setUp();
    const mark = wait.mark();
    connection.emit('close');
    const confirmed = wait.confirm(mark, 'write');
    connection.waits[0]?.answer(1);
    await expect(confirmed).rejects.toThrow(/connection was lost before its replicas confirmed it/);
  });

  it('answers WriteUnconfirmedError when the WAIT itself fails, and sends a new one for the next write', async () => {
    const { connection, wait } = setUp();
    const confirmed = wait.confirm(wait.mark(), 'write');
    connection.waits[0]?.fail(new Error('Command timed out'));
    await expect(confirmed).rejects.toThrow(/whether its replicas hold it is unknown \(Command timed out\)/);
    const next = wait.confirm(wait.mark(), 'next');
    expect(connection.waits).toHaveLength(2);
    connection.waits[1]?.answer(1);
    await expect(next).resolves.toBeUndefined();
  });
});
