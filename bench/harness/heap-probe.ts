/**
 * Preloaded by the harness into the embedded registry it measures (`node --expose-gc --import tsx
 * --import ./bench/harness/heap-probe.ts dist/main.js`, with HEAP_PROBE_PORT set): a loopback HTTP
 * server of its own that answers every request with the process's memory right after full garbage
 * collections, so the harness reads what the agents hold rather than garbage not yet collected.
 * Nothing in src/ knows of it.
 */
import { createServer } from 'node:http';

/** The memory one probe reports, in bytes (see `process.memoryUsage()`). */
export interface HeapReading {
  heapUsed: number;
  /** C++ objects bound to JavaScript ones, Buffers and ArrayBuffers included. */
  external: number;
  rss: number;
}

const collect = (globalThis as { gc?: () => void }).gc;
if (!collect) throw new Error('bench/harness/heap-probe.ts needs node --expose-gc');

createServer((_request, response) => {
  // Twice: objects kept only by finalizers and weak references are freed by the second.
  collect();
  collect();
  const { heapUsed, external, rss } = process.memoryUsage();
  const reading: HeapReading = { heapUsed, external, rss };
  response.setHeader('content-type', 'application/json');
  response.end(JSON.stringify(reading));
})
  .listen(Number(process.env.HEAP_PROBE_PORT), '127.0.0.1')
  // The registry decides when the process ends; the probe never keeps it alive.
  .unref();
