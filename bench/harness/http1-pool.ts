import { connect, type Socket } from 'node:net';

/** One request the load drivers send. */
export interface DriverRequest {
  method: 'GET' | 'POST' | 'HEAD';
  path: string;
  /** A JSON body, sent with `Content-Type: application/json`. */
  body?: string;
}

const CR = 0x0d;
const LF = 0x0a;
const HEAD_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');
/** Longest response head (or trailer line) and chunk-size line read: past these, a server that never ends a line would grow the buffer forever. */
const MAX_HEAD_BYTES = 64 * 1024;
const MAX_CHUNK_SIZE_LINE_BYTES = 1024;
/** Bytes read off a connection at once: as much as Node reads into a fresh buffer. */
const READ_BUFFER_BYTES = 64 * 1024;

/** Where the reader of one response is. */
type Phase = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'until-close';

/**
 * Reads HTTP/1.1 responses off a byte stream, one at a time, without keeping their bodies: it only
 * needs each one's status and where it ends. Bodies end by Content-Length, by chunked transfer
 * coding (RFC 9112 §7.1), or by the connection closing; HEAD, 1xx, 204 and 304 answers have none.
 */
export class ResponseReader {
  private phase: Phase = 'head';
  private pending: Buffer | undefined;
  private remaining = 0;
  private status = 0;
  private closeAfter = false;
  private headRequest = false;

  /** Consumes bytes; answers the status once the response is complete, and leaves the reader ready for the next one. */
  feed(data: Buffer): { status: number; keepAlive: boolean } | 'more' | 'malformed' {
    const bytes = this.pending ? Buffer.concat([this.pending, data]) : data;
    this.pending = undefined;
    let at = 0;
    while (at < bytes.length || this.phase === 'length') {
      switch (this.phase) {
        case 'head': {
          const end = bytes.indexOf(HEAD_END, at);
          if (end < 0) return this.keep(bytes, at, MAX_HEAD_BYTES);
          if (!this.readHead(bytes.toString('latin1', at, end))) return 'malformed';
          at = end + HEAD_END.length;
          break;
        }
        case 'length':
          this.consume(bytes.length - at);
          return this.remaining === 0 ? this.finish() : 'more';
        case 'chunk-size': {
          const end = bytes.indexOf(CRLF, at);
          if (end < 0) return this.keep(bytes, at, MAX_CHUNK_SIZE_LINE_BYTES);
          const size = Number.parseInt(bytes.toString('latin1', at, end).split(';')[0] as string, 16);
          if (!Number.isFinite(size) || size < 0) return 'malformed';
          this.remaining = size;
          this.phase = size === 0 ? 'trailers' : 'chunk-data';
          at = end + CRLF.length;
          break;
        }
        case 'chunk-data':
          at += this.consume(bytes.length - at);
          if (this.remaining === 0) this.phase = 'chunk-end';
          break;
        case 'chunk-end': {
          if (bytes.length - at < 2) return this.keep(bytes, at, 2);
          if (bytes[at] !== CR || bytes[at + 1] !== LF) return 'malformed';
          at += 2;
          this.phase = 'chunk-size';
          break;
        }
        case 'trailers': {
          const end = bytes.indexOf(CRLF, at);
          if (end < 0) return this.keep(bytes, at, MAX_HEAD_BYTES);
          // Trailer fields are skipped; an empty line ends them, and the response.
          const empty = end === at;
          at = end + CRLF.length;
          if (empty) return this.finish();
          break;
        }
        case 'until-close':
          return 'more';
      }
    }
    return 'more';
  }

  /** The connection closed: completes a response whose body runs to the close, and fails any other. */
  closed(): { status: number; keepAlive: boolean } | 'malformed' {
    return this.phase === 'until-close' ? this.finish() : 'malformed';
  }

  /** Readies the reader for the answer to the next request, on a connection with nothing left unread. */
  expect(headRequest: boolean): void {
    this.headRequest = headRequest;
    this.phase = 'head';
    this.pending = undefined;
  }

  /** Counts up to `available` body bytes against the ones still owed; answers how many it took. */
  private consume(available: number): number {
    const taken = Math.min(this.remaining, available);
    this.remaining -= taken;
    return taken;
  }

  private keep(bytes: Buffer, at: number, limit: number): 'more' | 'malformed' {
    // A copy: `bytes` may be the connection's read buffer, which the next read overwrites.
    this.pending = Buffer.from(bytes.subarray(at));
    return this.pending.length > limit ? 'malformed' : 'more';
  }

  /** Reads the status line and the framing headers; false when the head is not an HTTP/1.x response. */
  private readHead(head: string): boolean {
    const lines = head.split('\r\n');
    const match = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] as string);
    if (!match) return false;
    this.status = Number(match[1]);
    if (this.status >= 100 && this.status < 200) return true; // an interim answer: the real one follows
    let length: number | undefined;
    let chunked = false;
    this.closeAfter = lines[0]?.startsWith('HTTP/1.0') ?? false;
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim().toLowerCase();
      if (name === 'content-length') length = Number(value);
      else if (name === 'transfer-encoding') chunked = value.split(',').at(-1)?.trim() === 'chunked';
      else if (name === 'connection') this.closeAfter = value.split(',').some((token) => token.trim() === 'close');
    }
    if (this.headRequest || this.status === 204 || this.status === 304) this.startBody('length', 0);
    else if (chunked) this.startBody('chunk-size', 0);
    else if (length !== undefined) {
      if (!Number.isSafeInteger(length) || length < 0) return false;
      this.startBody('length', length);
    } else this.startBody('until-close', 0);
    return true;
  }

  private startBody(phase: Phase, remaining: number): void {
    this.phase = phase;
    this.remaining = remaining;
  }

  private finish(): { status: number; keepAlive: boolean } {
    const done = { status: this.status, keepAlive: !this.closeAfter && this.phase !== 'until-close' };
    this.phase = 'head';
    this.pending = undefined;
    return done;
  }
}

type Outcome = ReturnType<ResponseReader['feed']> | ReturnType<ResponseReader['closed']>;

/** One keep-alive connection with at most one request in flight; it reconnects when the server closed the last one. */
class Http1Connection {
  private socket: Socket | undefined;
  private readonly reader = new ResponseReader();
  private readonly readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  private settle: ((ok: boolean) => void) | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  /** Sends the request and reads its answer to the last byte: true for a status below 400; false for any other, or a broken connection. */
  send(request: DriverRequest): Promise<boolean> {
    return new Promise((resolve) => {
      this.settle = resolve;
      this.reader.expect(request.method === 'HEAD');
      this.socket ??= this.open();
      this.socket.write(serialise(request, `${this.host}:${this.port}`));
    });
  }

  close(): void {
    this.socket?.destroy();
  }

  private open(): Socket {
    const socket: Socket = connect({
      host: this.host,
      port: this.port,
      noDelay: true,
      // Every read lands in the same buffer: a new one per read was the driver's main garbage (over
      // 100 MB a second at 1,359 list pages a second), and its collections stalled the driver, whose
      // stalls count as the servers' latency.
      onread: {
        buffer: this.readBuffer,
        callback: (bytesRead: number) => {
          this.received(socket, this.reader.feed(this.readBuffer.subarray(0, bytesRead)));
          return true; // keep reading
        },
      },
    });
    // 'close' follows every error, and settles the request there.
    socket.on('error', () => {});
    socket.on('close', () => {
      if (socket === this.socket) this.received(socket, this.reader.closed());
    });
    return socket;
  }

  private received(socket: Socket, outcome: Outcome): void {
    if (outcome === 'more') return;
    const settle = this.settle;
    this.settle = undefined;
    const reusable = outcome !== 'malformed' && outcome.keepAlive && settle !== undefined;
    if (!reusable) {
      // A broken, closing or unasked-for answer: this socket is done; the next request opens another.
      this.socket = undefined;
      socket.destroy();
    }
    settle?.(outcome !== 'malformed' && outcome.status < 400);
  }
}

function serialise(request: DriverRequest, host: string): string {
  const head = `${request.method} ${request.path} HTTP/1.1\r\nHost: ${host}\r\n`;
  if (request.body === undefined) return `${head}\r\n`;
  return `${head}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(request.body)}\r\n\r\n${request.body}`;
}

/**
 * The load drivers' HTTP/1.1 client: `connections` keep-alive connections over node:net, a request
 * at a time on each, answers read to the last byte and dropped. It does only what measuring needs,
 * because the driver shares the machine with what it measures: undici's Pool cost 0.5 ms of CPU per
 * request on a 2-vCPU machine (a third to half a core at 622 list pages a second), which the servers
 * under test then lacked, and every stall of the driver's event loop counts as their latency.
 */
export class Http1Pool {
  private readonly idle: Http1Connection[];
  private readonly all: Http1Connection[];
  private readonly waiting: ((connection: Http1Connection) => void)[] = [];

  constructor(origin: string, connections: number) {
    const { hostname, port } = new URL(origin);
    this.all = Array.from({ length: connections }, () => new Http1Connection(hostname, Number(port)));
    this.idle = [...this.all];
  }

  /** Sends the request on a free connection, waiting for one when all are busy. */
  async request(request: DriverRequest): Promise<boolean> {
    const connection = this.idle.pop() ?? (await new Promise<Http1Connection>((resolve) => this.waiting.push(resolve)));
    try {
      return await connection.send(request);
    } finally {
      const next = this.waiting.shift();
      if (next) next(connection);
      else this.idle.push(connection);
    }
  }

  close(): void {
    for (const connection of this.all) connection.close();
  }
}
