import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Another application in the registry's namespace, as Prometheus sees it: a /metrics with the metric
 * names the registry's dashboard reads that are not the registry's own to choose (`http_requests_total`
 * and `http_request_duration_seconds` on the same routes and statuses, prom-client's `process_*` and
 * `nodejs_*`), with values far from the registry's: every scrape adds 1000 requests (100 of them 5xx),
 * all slow, and the process is huge and lagging.
 */
export interface Neighbour {
  /** host:port, for a scrape target. */
  target: string;
  stop(): Promise<void>;
}

export async function startNeighbour(): Promise<Neighbour> {
  let scrapes = 0;
  const server: Server = createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    scrapes++;
    const n = scrapes;
    const lines = [
      '# TYPE http_requests_total counter',
      ...['/agents/:id', '/agents', '/agents/search'].flatMap((route) => [
        `http_requests_total{method="GET",route="${route}",status_code="200"} ${900 * n}`,
        `http_requests_total{method="GET",route="${route}",status_code="503"} ${100 * n}`,
      ]),
      '# TYPE http_request_duration_seconds histogram',
      ...['0.5', '1', '2.5', '5', '+Inf'].map(
        (le) => `http_request_duration_seconds_bucket{method="GET",route="/agents/:id",status_code="200",le="${le}"} ${le === '0.5' ? 0 : 1000 * n}`,
      ),
      `http_request_duration_seconds_sum{method="GET",route="/agents/:id",status_code="200"} ${900 * n}`,
      `http_request_duration_seconds_count{method="GET",route="/agents/:id",status_code="200"} ${1000 * n}`,
      '# TYPE process_cpu_seconds_total counter',
      `process_cpu_seconds_total ${5 * n}`,
      '# TYPE process_resident_memory_bytes gauge',
      'process_resident_memory_bytes 9000000000',
      '# TYPE nodejs_heap_size_used_bytes gauge',
      'nodejs_heap_size_used_bytes 8000000000',
      '# TYPE nodejs_eventloop_lag_seconds gauge',
      'nodejs_eventloop_lag_seconds 3',
      '# TYPE nodejs_eventloop_lag_p99_seconds gauge',
      'nodejs_eventloop_lag_p99_seconds 5',
      '',
    ];
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(lines.join('\n'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    target: `127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
