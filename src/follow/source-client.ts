import { z } from 'zod';
import { rawJsonAt, rawJsonElements } from '../http/raw-json.js';
import { CHANGE_KINDS } from '../store/change-log.js';
import { VERSION } from '../version.js';

/** Agents per listing page of a snapshot, and events per page of the change log: what one step holds in memory. */
export const SOURCE_PAGE_SIZE = 100;
/** The longest one request to the source may take, headers and body. */
const REQUEST_TIMEOUT_MS = 10_000;

/** The source did not answer usefully (down, timed out, 5xx, refused our credentials): try again later. */
export class SourceUnavailableError extends Error {
  override readonly name = 'SourceUnavailableError';
}

/** The source no longer keeps the events after our cursor (410 `changes_gone`): read a snapshot again. */
export class SourceGoneError extends Error {
  override readonly name = 'SourceGoneError';
}

/** The registry data of an agent, as the source's listings (`results`) and `GET /agents/{id}` show it. */
export const sourceFields = z.object({
  agent_id: z.string().min(1),
  revision: z.number().int().positive(),
  status: z.enum(['active', 'inactive']),
  heartbeat_ttl_seconds: z.number().int().min(0),
  format: z.string(),
  signature_status: z.enum(['verified', 'invalid', 'unsigned']),
  signature_form: z.string().optional(),
  signature_error: z.object({ code: z.string(), message: z.string() }).optional(),
  source_url: z.string().optional(),
  air_identifier: z.string().optional(),
  previous_revision: z.number().int().optional(),
  domain_verified: z.boolean(),
  owner_changes: z.array(z.object({ from: z.string(), to: z.string(), at: z.string(), reason: z.string() })).optional(),
  // The owner's lifecycle: sources of versions before lifecycles show none (their agents are active).
  lifecycle_status: z.enum(['active', 'deprecated']).optional(),
  status_message: z.string().optional(),
  status_changed_at: z.string().optional(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type SourceFields = z.infer<typeof sourceFields>;

/** One agent of the source: its card exactly as the source holds it, and its registry data. */
export interface SourceAgent {
  card: string;
  fields: SourceFields;
}

const sourceEvent = z.object({
  cursor: z.string(),
  agent_id: z.string(),
  kind: z.enum(CHANGE_KINDS),
  revision: z.number().int(),
  at: z.string(),
});
export type SourceEvent = z.infer<typeof sourceEvent>;

const changePage = z.object({ changes: z.array(sourceEvent), next_cursor: z.string(), has_more: z.boolean() });
const listingPage = z.object({ results: z.array(sourceFields), next_cursor: z.string().nullable() });
const snapshotCursor = z.object({ change_cursor: z.string() });

/**
 * The mirror's view of its source registry, over its public API: listing pages with their cards,
 * pages of the change log, single agents. The source is the operator's configuration, not a
 * client's input, so it is fetched directly (as the JWT key set is), not through the outbound
 * policy for client-given URLs; every request has a deadline and every page a bounded size.
 */
export class SourceClient {
  /** Aborts the requests under way when the process stops. */
  private readonly closing = new AbortController();

  constructor(
    /** The source's base URL. */
    private readonly baseUrl: string,
    /** Sent as a bearer credential. @defaultValue none */
    private readonly apiKey: string | undefined,
    /** The source's search filters, as a query string, for the listing of a snapshot. @defaultValue none */
    private readonly filter = '',
  ) {}

  /** The cursor to follow the change log from after reading a snapshot: read before its first page. */
  async snapshotCursor(): Promise<string> {
    return parse(snapshotCursor, (await this.get('/agents?limit=1')).json, 'listing').change_cursor;
  }

  /** One page of the snapshot: every agent that matches the filter, inactive ones too, in pages. */
  async listPage(cursor: string | undefined): Promise<{ agents: SourceAgent[]; nextCursor: string | undefined }> {
    const query = new URLSearchParams(this.filter);
    query.set('include_inactive', 'true');
    query.set('limit', String(SOURCE_PAGE_SIZE));
    if (cursor) query.set('cursor', cursor);
    const { text, json } = await this.get(`/agents?${query}`);
    const page = parse(listingPage, json, 'listing');
    const cards = rawJsonElements(text, ['agents']);
    if (!cards || cards.length !== page.results.length) throw new SourceUnavailableError('The source answered a listing whose cards and results differ');
    return { agents: page.results.map((fields, i) => ({ card: cards[i] as string, fields })), nextCursor: page.next_cursor ?? undefined };
  }

  /** Up to a page of events after `since`, without cards (the mirror reads each agent as it is now). */
  async changes(since: string): Promise<z.infer<typeof changePage>> {
    const query = new URLSearchParams({ since, limit: String(SOURCE_PAGE_SIZE), include_card: 'false' });
    return parse(changePage, (await this.get(`/changes?${query}`)).json, 'change log');
  }

  /** An agent as the source holds it now (inactive ones too), or null when it has none by that id. */
  async agent(id: string): Promise<SourceAgent | null> {
    const answer = await this.get(`/agents/${encodeURIComponent(id)}`, true);
    if (!answer) return null;
    const card = rawJsonAt(answer.text, ['agent_card']);
    if (card === undefined) throw new SourceUnavailableError(`The source answered agent ${id} without its card`);
    return { card, fields: parse(sourceFields, answer.json, `agent ${id}`) };
  }

  /** Aborts every request under way: for shutdown, which need not wait for a slow source. */
  close(): void {
    this.closing.abort();
  }

  private async get(path: string, missingIsNull: true): Promise<{ text: string; json: unknown } | null>;
  private async get(path: string): Promise<{ text: string; json: unknown }>;
  private async get(path: string, missingIsNull = false): Promise<{ text: string; json: unknown } | null> {
    const url = this.baseUrl + path;
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        headers: {
          Accept: 'application/json',
          'User-Agent': `a2a-registry/${VERSION} (mirror)`,
          ...(this.apiKey ? { Authorization: `Bearer ${this.apiKey}` } : {}),
        },
        redirect: 'error',
        signal: AbortSignal.any([AbortSignal.timeout(REQUEST_TIMEOUT_MS), this.closing.signal]),
      });
      text = await response.text();
    } catch (error) {
      throw new SourceUnavailableError(`GET ${url} failed: ${(error as Error).message}`);
    }
    if (response.status === 404 && missingIsNull) return null;
    if (response.status === 410) throw new SourceGoneError(`GET ${url}: 410 ${text.slice(0, 300)}`);
    if (!response.ok) throw new SourceUnavailableError(`GET ${url}: ${response.status} ${text.slice(0, 300)}`);
    try {
      return { text, json: JSON.parse(text) as unknown };
    } catch {
      throw new SourceUnavailableError(`GET ${url} answered a body that is not JSON`);
    }
  }
}

function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new SourceUnavailableError(`The source answered a ${what} this registry cannot read: ${parsed.error.issues[0]?.message ?? ''}`);
  return parsed.data;
}
