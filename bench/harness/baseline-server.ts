/**
 * A baseline that answers the benchmark's requests with the registry's own bytes, to measure what
 * the framework alone costs: `express` (a minimal Express 5 app) or `node` (bare node:http).
 * Usage: baseline-server.ts <express|node> <port> <fixtures.json>
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import express from 'express';

interface Fixtures {
  /** Response body by request path (path and query string). */
  bodies: Record<string, string>;
  /** Answer of POST /agents. */
  registered: string;
  /** Answer of POST /agents/{id}/heartbeat. */
  heartbeat: string;
}

const [kind, portText, fixturesFile] = process.argv.slice(2);
const fixtures = JSON.parse(readFileSync(fixturesFile as string, 'utf8')) as Fixtures;
const bodies = new Map(Object.entries(fixtures.bodies));
const port = Number(portText);

if (kind === 'express') {
  const app = express();
  app.disable('x-powered-by');
  app.post('/agents', express.json({ limit: '1mb' }), (_req, res) => {
    res.status(201).type('application/json').send(fixtures.registered);
  });
  app.post('/agents/:id/heartbeat', (_req, res) => {
    res.type('application/json').send(fixtures.heartbeat);
  });
  app.get('/{*path}', (req, res) => {
    const body = bodies.get(req.originalUrl);
    if (body === undefined) return void res.status(404).end();
    res.type('application/json').send(body);
  });
  app.listen(port, '127.0.0.1');
} else {
  const send = (res: ServerResponse, status: number, body: string) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (req.url === '/agents') {
          JSON.parse(Buffer.concat(chunks).toString('utf8'));
          return send(res, 201, fixtures.registered);
        }
        send(res, 200, fixtures.heartbeat);
      });
      return;
    }
    const body = bodies.get(req.url ?? '');
    if (body === undefined) return send(res, 404, '{}');
    send(res, 200, body);
  }).listen(port, '127.0.0.1');
}
