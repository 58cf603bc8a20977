import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Http1Pool, ResponseReader } from '../../bench/harness/http1-pool.js';

const originOf = (server: Server | TcpServer) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const listening = async <T extends Server | TcpServer>(server: T): Promise<T> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
};
const closed = (server: Server | TcpServer) => new Promise<void>((resolve) => server.close(() => resolve()));

describe('the load drivers’ HTTP/1.1 pool against node:http', () => {
  let server: Server;
  let origin: string;
  let connections = 0;
  const received: string[] = [];

  beforeAll(async () => {
    server = await listening(
      createServer((req, res) => {
        let body = '';
        req.setEncoding('utf8');
        req.on('data', (chunk: string) => (body += chunk));
        req.on('end', () => {
          received.push(`${req.method} ${req.url} ${req.headers['content-type'] ?? ''} ${body}`);
          const url = req.url ?? '';
          if (url === '/chunked') {
            res.write('{"part":1,');
            setImmediate(() => res.end('"part2":2}'));
          } else if (url === '/missing') res.writeHead(404).end('{"error":"not found"}');
          else if (url === '/empty') res.writeHead(204).end();
          else if (url === '/unchanged') res.writeHead(304).end();
          else if (url === '/closing') res.setHeader('Connection', 'close').end('bye');
          else if (url === '/big') res.end('x'.repeat(300_000));
          else res.setHeader('Content-Length', 2).end(req.method === 'HEAD' ? undefined : 'ok');
        });
      }),
    );
    server.on('connection', () => connections++);
    origin = originOf(server);
  });
  afterAll(() => closed(server));

  it('keeps one connection alive across requests whose bodies end by length, by chunks or by none at all', async () => {
    const pool = new Http1Pool(origin, 1);
    const before = connections;
    const paths = ['/', '/chunked', '/empty', '/unchanged', '/big', '/', '/chunked'];
    for (const path of paths) expect(await pool.request({ method: 'GET', path })).toBe(true);
    expect(await pool.request({ method: 'HEAD', path: '/' })).toBe(true);
    expect(await pool.request({ method: 'GET', path: '/' })).toBe(true);
    expect(connections - before).toBe(1);
    pool.close();
  });

  it('counts a status of 400 or more as a failure, and goes on using the connection', async () => {
    const pool = new Http1Pool(origin, 1);
    const before = connections;
    expect(await pool.request({ method: 'GET', path: '/missing' })).toBe(false);
    expect(await pool.request({ method: 'GET', path: '/' })).toBe(true);
    expect(connections - before).toBe(1);
    pool.close();
  });

  it('opens a new connection after the server closed the last one', async () => {
    const pool = new Http1Pool(origin, 1);
    const before = connections;
    expect(await pool.request({ method: 'GET', path: '/closing' })).toBe(true);
    expect(await pool.request({ method: 'GET', path: '/' })).toBe(true);
    expect(connections - before).toBe(2);
    pool.close();
  });

  it('sends a JSON body with its length in bytes, not characters', async () => {
    const pool = new Http1Pool(origin, 1);
    const body = JSON.stringify({ name: 'Ågent ✓ 😀' });
    expect(await pool.request({ method: 'POST', path: '/agents', body })).toBe(true);
    expect(received.at(-1)).toBe(`POST /agents application/json ${body}`);
    pool.close();
  });

  it('queues requests beyond its connections and never opens more of them', async () => {
    const pool = new Http1Pool(origin, 2);
    const before = connections;
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => pool.request({ method: 'GET', path: i % 2 ? '/' : '/chunked' })));
    expect(results.every((ok) => ok)).toBe(true);
    expect(connections - before).toBe(2);
    pool.close();
  });

  it('fails a request to a port nobody listens on', async () => {
    const vacant = await listening(createTcpServer());
    const vacantOrigin = originOf(vacant);
    await closed(vacant);
    const pool = new Http1Pool(vacantOrigin, 1);
    expect(await pool.request({ method: 'GET', path: '/' })).toBe(false);
    pool.close();
  });
});

describe('the load drivers’ HTTP/1.1 pool against servers that misbehave', () => {
  /** A TCP server that answers each request with `answer(socket, n)`, n counting requests over all connections. */
  const rawServer = (answer: (socket: Socket, requests: number) => void) => {
    let requests = 0;
    return listening(
      createTcpServer((socket) => {
        socket.on('data', () => answer(socket, ++requests));
        socket.on('error', () => {});
      }),
    );
  };

  it('reads a body that runs to the connection’s close', async () => {
    const server = await rawServer((socket) => socket.end('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it'));
    const pool = new Http1Pool(originOf(server), 1);
    expect(await pool.request({ method: 'GET', path: '/' })).toBe(true);
    expect(await pool.request({ method: 'GET', path: '/' })).toBe(true);
    pool.close();
    await closed(server);
  });

  it('fails a request whose answer breaks off, and succeeds on a new connection after it', async () => {
    const server = await rawServer((socket, requests) => {
      if (requests === 1) socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part');
      else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    });
    const pool = new Http1Pool(originOf(server), 1);
    expect(await pool.request({ method: 'GET', path: '/' })).toBe(false);
    expect(await pool.request({ method: 'GET', path: '/' })).toBe(true);
    pool.close();
    await closed(server);
  });

  it('reads a head that arrives in pieces, whatever the reads after them put into the read buffer', async () => {
    const pieces = ['HTTP/1.1 200 OK\r\nContent-Le', 'ngth: 2\r\n', 'X-Padding: ' + 'p'.repeat(2000) + '\r\n\r\n', 'ok'];
    const server = await rawServer((socket) => {
      const writeFrom = (i: number) => {
        if (i === pieces.length) return;
        socket.write(pieces[i] as string);
        setTimeout(() => writeFrom(i + 1), 20);
      };
      writeFrom(0);
    });
    const pool = new Http1Pool(originOf(server), 1);
    expect(await pool.request({ method: 'GET', path: '/' })).toBe(true);
    expect(await pool.request({ method: 'GET', path: '/' })).toBe(true);
    pool.close();
    await closed(server);
  });

  it('fails a request answered with something that is not HTTP', async () => {
    const server = await rawServer((socket) => socket.write('SSH-2.0-OpenSSH\r\n\r\n'));
    const pool = new Http1Pool(originOf(server), 1);
    expect(await pool.request({ method: 'GET', path: '/' })).toBe(false);
    pool.close();
    await closed(server);
  });
});

describe('the response reader', () => {
  const CHUNKED =
    'HTTP/1.1 100 Continue\r\n\r\n' +
    'HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n' +
    '5;name=value\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nDigest: x\r\n\r\n';

  it('finds the end of a chunked answer with extensions and trailers, fed a byte at a time', () => {
    const reader = new ResponseReader();
    reader.expect(false);
    const bytes = Buffer.from(CHUNKED);
    const outcomes = [...bytes].map((byte) => reader.feed(Buffer.from([byte])));
    expect(outcomes.slice(0, -1).every((outcome) => outcome === 'more')).toBe(true);
    expect(outcomes.at(-1)).toEqual({ status: 201, keepAlive: true });
  });

  it('finds the end of an answer fed whole, and is ready for the next one', () => {
    const reader = new ResponseReader();
    reader.expect(false);
    expect(reader.feed(Buffer.from(CHUNKED))).toEqual({ status: 201, keepAlive: true });
    reader.expect(false);
    expect(reader.feed(Buffer.from('HTTP/1.1 503 Unavailable\r\nContent-Length: 3\r\nConnection: close\r\n\r\n'))).toBe('more');
    expect(reader.feed(Buffer.from('{}\n'))).toEqual({ status: 503, keepAlive: false });
  });

  it('refuses a malformed chunk size, a missing chunk end and a head that never ends', () => {
    const reader = new ResponseReader();
    reader.expect(false);
    expect(reader.feed(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'))).toBe('malformed');
    reader.expect(false);
    expect(reader.feed(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY'))).toBe('malformed');
    reader.expect(false);
    expect(reader.feed(Buffer.from(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(70_000)}`))).toBe('malformed');
  });
});
