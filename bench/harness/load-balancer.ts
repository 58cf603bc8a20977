/**
 * A small least-connections HTTP load balancer for `--replicas N`, standing in for the ingress.
 * Usage: load-balancer.ts <port> <origin> [<origin> ...]
 */
import { Agent, createServer, request } from 'node:http';

const [portText, ...origins] = process.argv.slice(2);
const agent = new Agent({ keepAlive: true, maxSockets: 256 });
const upstreams = origins.map((origin) => ({ url: new URL(origin), active: 0 }));

createServer((req, res) => {
  const upstream = upstreams.reduce((least, candidate) => (candidate.active < least.active ? candidate : least));
  upstream.active++;
  const forward = request(
    { host: upstream.url.hostname, port: upstream.url.port, method: req.method, path: req.url, headers: req.headers, agent },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      answer.on('end', () => upstream.active--);
    },
  );
  forward.on('error', () => {
    upstream.active--;
    res.writeHead(502).end();
  });
  req.pipe(forward);
}).listen(Number(portText), '127.0.0.1');
