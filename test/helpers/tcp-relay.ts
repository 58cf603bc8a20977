import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** One client connection relayed to the target. */
interface Pair {
  client: Socket;
  upstream?: Socket;
  /** Upstream bytes are held back (not forwarded to the client) while true. */
  paused: boolean;
}

/**
 * A plain TCP relay in front of a real server (here: Redis), standing in for the network between a
 * registry process and its Redis. It forwards bytes unchanged; tests use it to delay what one
 * connection receives (`pauseDownstream`) and to keep new connections from getting through for a
 * while (`holdNewConnections`), the two network conditions a test cannot otherwise time.
 */
export class TcpRelay {
  private readonly pairs = new Set<Pair>();
  private readonly held: Pair[] = [];
  private holding = false;
  private trap: { marker: Buffer; sprung: (upstreamPort: number) => void } | undefined;

  private constructor(
    private readonly server: Server,
    private target: { host: string; port: number },
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  /** Starts a relay on a free loopback port towards `targetUrl` (such as `redis://127.0.0.1:6379`). */
  static async start(targetUrl: string): Promise<TcpRelay> {
    const url = new URL(targetUrl);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return new TcpRelay(server, { host: url.hostname, port: Number(url.port || 6379) });
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The URL clients use to reach the target through the relay. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Connects new client connections to `targetUrl` from now on (a failover); open ones stay where they are. */
  redirect(targetUrl: string): void {
    const url = new URL(targetUrl);
    this.target = { host: url.hostname, port: Number(url.port || 6379) };
  }

  /** From now on, new client connections are accepted but not connected onwards until released. */
  holdNewConnections(): void {
    this.holding = true;
  }

  /** Connects every held client onwards, and lets later ones through at once. */
  releaseNewConnections(): void {
    this.holding = false;
    for (const pair of this.held.splice(0)) this.open(pair);
  }

  /** How many client connections are waiting to be connected onwards. */
  get heldCount(): number {
    return this.held.length;
  }

  /**
   * Holds back what the target sends on the connection whose local port towards the target is
   * `upstreamPort` (the port Redis shows in `CLIENT LIST` as `addr`), until `resumeDownstream`.
   */
  pauseDownstream(upstreamPort: number): void {
    const pair = this.pairByUpstreamPort(upstreamPort);
    pair.paused = true;
    pair.upstream?.unpipe(pair.client);
    pair.upstream?.pause();
  }

  resumeDownstream(upstreamPort: number): void {
    const pair = this.pairByUpstreamPort(upstreamPort);
    pair.paused = false;
    pair.upstream?.pipe(pair.client);
  }

  /**
   * Holds back what the target sends on the next connection whose client sends bytes containing
   * `marker` (say, the name of a command), from that moment: the command reaches the target and
   * runs, but its reply waits. Resolves with that connection's upstream port, for `resumeDownstream`.
   */
  pauseDownstreamAfter(marker: string): Promise<number> {
    return new Promise((resolve) => {
      this.trap = { marker: Buffer.from(marker), sprung: resolve };
    });
  }

  async close(): Promise<void> {
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.upstream?.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private pairByUpstreamPort(port: number): Pair {
    const pair = [...this.pairs].find((p) => p.upstream?.localPort === port);
    if (!pair) throw new Error(`no relayed connection uses local port ${port}`);
    return pair;
  }

  private accept(client: Socket): void {
    const pair: Pair = { client, paused: false };
    this.pairs.add(pair);
    client.on('error', () => {});
    client.once('close', () => {
      this.pairs.delete(pair);
      pair.upstream?.destroy();
    });
    // Until connected onwards the client socket is not read: what it sends waits in its buffer.
    if (this.holding) this.held.push(pair);
    else this.open(pair);
  }

  private open(pair: Pair): void {
    if (pair.client.destroyed) return;
    const upstream = connect(this.target.port, this.target.host);
    pair.upstream = upstream;
    upstream.on('error', () => {});
    upstream.once('close', () => pair.client.destroy());
    pair.client.on('data', (chunk: Buffer) => {
      const trap = this.trap;
      if (!trap || !chunk.includes(trap.marker) || !upstream.localPort) return;
      this.trap = undefined;
      this.pauseDownstream(upstream.localPort);
      trap.sprung(upstream.localPort);
    });
    pair.client.pipe(upstream);
    upstream.pipe(pair.client);
  }
}
