import type { Request, Response } from 'express';
import { UnavailableError } from '../errors.js';
import { toAppError } from '../http/error-middleware.js';
import { toJsonBytes } from '../http/json-text.js';
import type { Logger } from '../logger.js';
import { presentChange } from './change-presenter.js';
import type { ChangesRequest } from './change-requests.js';
import type { ChangePage, ChangeService } from './change-service.js';

export interface ChangeStreamOptions {
  /** How often an idle stream sends a comment line, so proxies keep it open, in ms. @defaultValue 15000 */
  heartbeatMs: number;
  /** Bytes a client may leave unread before it is disconnected (it resumes with Last-Event-ID). @defaultValue 1 MiB */
  maxBufferedBytes: number;
  /** Most streams one process serves at once; more get 503. */
  maxStreams: number;
}

/**
 * Wakes the streams when a change was written (the invalidation feed on Redis; none for the embedded
 * store), and otherwise at a tick they all share: streams woken together ask for the same page at
 * once, and that page is read once for all of them (`ChangeService.page`), so reads of the log grow
 * with the changes and the ticks, not with the streams.
 */
export class ChangeSignal {
  private waiting = new Set<() => void>();
  private ticker: NodeJS.Timeout | undefined;
  /** How many notifications there have been: a stream that read the log meanwhile must read it again. */
  private notified = 0;

  /** @param tickMs how often waiting streams are woken when nothing is notified, in ms */
  constructor(private readonly tickMs: number) {}

  /** A mark to pass to {@link wait}, taken before reading the log. */
  get mark(): number {
    return this.notified;
  }

  notify(): void {
    this.notified++;
    const waiting = this.waiting;
    this.waiting = new Set();
    for (const wake of waiting) wake();
  }

  /** Resolves at the next notification or tick; at once when there was a notification since `mark`. */
  wait(mark: number): Promise<void> {
    if (mark !== this.notified) return Promise.resolve();
    this.ticker ??= setInterval(() => this.tick(), this.tickMs).unref();
    return new Promise((resolve) => this.waiting.add(resolve));
  }

  private tick(): void {
    if (this.waiting.size > 0) return this.notify();
    clearInterval(this.ticker);
    this.ticker = undefined;
  }
}

/**
 * The Server-Sent Events door of the change log (`GET /changes/stream`): each event is sent with
 * its cursor as `id:`, so a client that reconnects with `Last-Event-ID` resumes right after the
 * last event it received. Each stream reads the log a page at a time when the signal wakes it
 * (streams woken together share their reads); what a slow client leaves unread is bounded, past
 * that it is cut.
 */
export class ChangeStreams {
  private readonly open = new Set<Response>();

  constructor(
    private readonly service: ChangeService,
    private readonly signal: ChangeSignal,
    private readonly options: ChangeStreamOptions,
    private readonly logger: Logger,
  ) {}

  get size(): number {
    return this.open.size;
  }

  /** Answers one stream request until the client leaves or the process closes. */
  async serve(req: Request, res: Response, request: ChangesRequest): Promise<void> {
    if (this.open.size >= this.options.maxStreams) throw new UnavailableError('This replica serves as many change streams as it may; try again later or poll GET /changes');
    // The first page is read before the headers go out: a bad or expired cursor gets a plain JSON error.
    let mark = this.signal.mark;
    let page = await this.service.page(request, req.get('last-event-id') !== undefined ? 'header:Last-Event-ID' : '$.since');
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      // no-transform: compression would hold events back.
      'Cache-Control': 'no-cache, no-transform',
      'X-Accel-Buffering': 'no',
    });
    // Sent now, not with the first event or keep-alive: a client waits for them to know it is following.
    res.flushHeaders();
    this.open.add(res);
    res.once('close', () => this.open.delete(res));
    const ended = () => res.writableEnded || res.destroyed;
    let quietSince = Date.now();
    try {
      for (;;) {
        if (page.events.length > 0) quietSince = Date.now();
        if (ended() || !this.send(res, page)) return;
        if (!page.hasMore) {
          if (Date.now() - quietSince >= this.options.heartbeatMs) {
            res.write(': keep-alive\n\n');
            quietSince = Date.now();
          }
          await this.signal.wait(mark);
          if (ended()) return;
        }
        mark = this.signal.mark;
        page = await this.service.page({ ...request, since: page.nextCursor });
      }
    } catch (error) {
      const appError = toAppError(error);
      if (!appError) this.logger.error({ err: error }, 'change stream failed');
      // The client reconnects with Last-Event-ID and is told then what is wrong, as JSON.
      if (!ended()) res.end(`event: error\ndata: ${JSON.stringify({ code: appError?.code ?? 'internal_error', message: appError?.message ?? 'Internal server error' })}\n\n`);
    }
  }

  /** Writes a page; false when the client fell too far behind and was cut. */
  private send(res: Response, page: ChangePage): boolean {
    for (const event of page.events) {
      res.write(`id: ${event.cursor}\nevent: change\ndata: `);
      res.write(toJsonBytes(presentChange(event)));
      res.write('\n\n');
    }
    if (res.writableLength <= this.options.maxBufferedBytes) return true;
    this.logger.info({ buffered: res.writableLength }, 'Change stream client too slow; disconnected (it may resume with Last-Event-ID)');
    res.destroy();
    return false;
  }

  /** Ends every stream, for shutdown: clients reconnect elsewhere with Last-Event-ID. */
  close(): void {
    for (const res of this.open) res.end();
    this.open.clear();
    this.signal.notify();
  }
}
