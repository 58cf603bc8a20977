/**
 * The compose stack's nginx.conf run by a real nginx: a replica recreated with a new address gets the
 * traffic without reloading nginx. Docker's DNS is played by a small DNS server on loopback whose
 * answer for `registry-api` the test changes; the two "replicas" are HTTP servers on 127.0.0.2 and
 * 127.0.0.3. Only addresses differ from the file: the resolver's (127.0.0.11 → this DNS server), the
 * port nginx listens on and the replicas' port. The resolver's `valid=` is the file's own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/processes.js';
import { freePort } from '../setup/redis-global-setup.js';
import { startDnsServer, type DnsServer } from './support/dns-server.js';
import { NGINX, NO_NGINX } from './support/processes.js';
import { readRepoFile } from './support/queries.js';

const CONFIG = readRepoFile('deploy/compose/nginx.conf');
const ALIAS = 'registry-api';

/** An HTTP server on `host`:`port` answering every request with its own name. */
async function replica(name: string, host: string, port: number): Promise<Server> {
  const server = createServer((_, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end(name));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return server;
}

describe.skipIf(!NGINX)(`nginx of the compose stack re-resolves the replicas${NGINX ? '' : ` (skipped: ${NO_NGINX})`}`, () => {
  let dns: DnsServer;
  let replicas: Server[] = [];
  let nginx: ChildProcess | undefined;
  let prefix: string;
  let origin: string;
  const logs: number[] = [];

  beforeAll(async () => {
    // One port on two loopback addresses, as two containers listen on the same port.
    const first = await replica('replica-a', '127.0.0.2', 0);
    const port = (first.address() as AddressInfo).port;
    replicas = [first, await replica('replica-b', '127.0.0.3', port)];
    dns = await startDnsServer(ALIAS, '127.0.0.2');

    const listen = await freePort();
    const config = CONFIG.replace(/^(\s*resolver\s+)127\.0\.0\.11(\s)/m, `$1${dns.address}$2`)
      .replace(/^(\s*listen\s+)8000;/m, `$1127.0.0.1:${listen};`)
      .replace(`http://${ALIAS}:8000;`, `http://${ALIAS}:${port};`);
    expect(config).toContain(`resolver ${dns.address} valid=`);
    expect(config).toContain(`listen 127.0.0.1:${listen};`);
    expect(config).toContain(`http://${ALIAS}:${port};`);

    prefix = mkdtempSync(join(tmpdir(), 'a2a-nginx-run-'));
    writeFileSync(join(prefix, 'nginx.conf'), config);
    // nginx opens /dev/stdout and /dev/stderr for its logs: files, not the sockets Node's pipes are.
    logs.push(openSync(join(prefix, 'out.log'), 'w'), openSync(join(prefix, 'err.log'), 'w'));
    nginx = spawn(NGINX!, ['-p', `${prefix}/`, '-c', join(prefix, 'nginx.conf'), '-e', 'stderr', '-g', `daemon off; pid ${join(prefix, 'nginx.pid')};`], {
      stdio: ['ignore', logs[0]!, logs[1]!],
    });
    origin = `http://127.0.0.1:${listen}`;
    await waitFor('nginx answers', 10_000, async () => (await fetch(`${origin}/`).catch(() => undefined))?.ok === true);
  }, 30_000);

  afterAll(async () => {
    if (nginx && nginx.exitCode === null && nginx.signalCode === null) {
      const exited = new Promise<void>((resolve) => nginx!.once('exit', () => resolve()));
      nginx.kill('SIGTERM');
      await exited;
    }
    logs.forEach((fd) => closeSync(fd));
    await dns?.stop();
    await Promise.all(replicas.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    rmSync(prefix, { recursive: true, force: true });
  });

  const answeredBy = async () => (await fetch(`${origin}/agents`)).text();

  it('sends to the address the name has now, within the resolver’s valid= time, without a reload', async () => {
    expect(await answeredBy()).toBe('replica-a');
    const asked = dns.queries();
    expect(asked).toBeGreaterThanOrEqual(1);
    // The replica is recreated: the name now points at another address, and the old one is gone.
    dns.answer('127.0.0.3');
    await new Promise<void>((resolve) => replicas[0]!.close(() => resolve()));
    const valid = Number(/resolver\s[^;]*valid=(\d+)s/.exec(CONFIG)?.[1]);
    const started = Date.now();
    let seen = '';
    await waitFor('nginx sends to the new address', (valid + 5) * 1000, async () => {
      seen = await answeredBy().catch(() => '');
      return seen === 'replica-b';
    }).catch(() => undefined);
    expect(seen, readFileSync(join(prefix, 'err.log'), 'utf8')).toBe('replica-b');
    expect(Date.now() - started).toBeLessThanOrEqual((valid + 5) * 1000);
    expect(dns.queries()).toBeGreaterThan(asked);
  }, 30_000);
});
