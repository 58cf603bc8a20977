import { createServer, type Server, type ServerResponse } from 'node:http';
import type { Express } from 'express';
import { RegistryRequest, RegistryResponse } from './registry-messages.js';

/** Where a server listens and how long it lets clients take. */
export interface ServerTimeouts {
  host: string;
  /** Idle keep-alive timeout; longer than the load balancer's. */
  keepAliveTimeoutMs: number;
  /** Longest a client may take to send a whole request. */
  requestTimeoutMs: number;
}

/**
 * How often the server looks for requests past their timeout, in milliseconds. Node looks every
 * 30 s by default, so a 30 s request timeout cut slow clients anywhere up to 60 s.
 */
function connectionsCheckingIntervalOf(requestTimeoutMs: number): number {
  return Math.max(100, Math.min(1000, requestTimeoutMs / 10));
}

/** Starts an HTTP server with the timeouts a load balancer in front expects. */
export async function listenOn(app: Express, port: number, options: ServerTimeouts): Promise<Server> {
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = createServer(
      {
        IncomingMessage: RegistryRequest,
        ServerResponse: RegistryResponse,
        connectionsCheckingInterval: connectionsCheckingIntervalOf(options.requestTimeoutMs),
      },
      app,
    );
    listening.once('error', reject);
    listening.listen(port, options.host, () => {
      listening.off('error', reject);
      resolve(listening);
    });
  });
  server.keepAliveTimeout = options.keepAliveTimeoutMs;
  // Headers must arrive within the request timeout, and never after an idle keep-alive socket closed.
  server.headersTimeout = Math.min(options.requestTimeoutMs, options.keepAliveTimeoutMs + 1000);
  server.requestTimeout = options.requestTimeoutMs;
  trackResponses(server);
  return server;
}

/** The responses each server is answering, so that closing it can end their keep-alive connections. */
const responsesInFlight = new WeakMap<Server, Set<ServerResponse>>();

/**
 * Once a server stops listening, every response it still sends asks for `Connection: close`, so a
 * keep-alive connection ends with its last request; otherwise close() would wait for it to idle
 * out (65 s) and a graceful shutdown would always run into its deadline.
 */
function trackResponses(server: Server): void {
  const responses = new Set<ServerResponse>();
  responsesInFlight.set(server, responses);
  server.prependListener('request', (_req, res: ServerResponse) => {
    if (!server.listening) res.setHeader('Connection', 'close');
    responses.add(res);
    res.once('close', () => responses.delete(res));
    // A response whose headers went out before the close began leaves an idle connection behind.
    res.once('finish', () => {
      if (!server.listening) setImmediate(() => server.closeIdleConnections());
    });
  });
}

/** Stops accepting connections; resolves once the requests in flight are answered and every connection closed. */
export function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const res of responsesInFlight.get(server) ?? []) if (!res.headersSent) res.setHeader('Connection', 'close');
  server.closeIdleConnections();
  return closed;
}
