import type { NamingStyle } from '../agents/agent-presenter.js';
import type { CatalogState } from '../store/catalog-sources.js';
import type { CatalogPage, StopOutcome } from './catalog-source-service.js';
import type { CatalogFields, CatalogPageAnswer, CatalogStoppedAnswer } from './catalog-source-responses.js';

const camel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function styled(style: NamingStyle, fields: Record<string, unknown>): Record<string, unknown> {
  return style === 'snake' ? fields : Object.fromEntries(Object.entries(fields).map(([key, value]) => [camel(key), value]));
}

const iso = (ms: number) => new Date(ms).toISOString();

function catalogFields(state: CatalogState): CatalogFields {
  const read = state.lastRead;
  return {
    key: state.key,
    url: state.url,
    owner: state.owner,
    syncing: state.nextReadAt !== undefined,
    ...(state.nextReadAt !== undefined ? { next_read_at: iso(state.nextReadAt) } : {}),
    ...(read ? { last_read_at: iso(read.at), last_read_result: read.result } : {}),
    ...(read?.signatureStatus ? { signature_status: read.signatureStatus } : {}),
    entries: state.entries,
    missing_entries: read?.missing?.count ?? 0,
    ...(read?.missing?.since !== undefined ? { missing_since: iso(read.missing.since) } : {}),
  };
}

export function presentCatalog(state: CatalogState, style: NamingStyle) {
  return styled(style, catalogFields(state));
}

export function presentCatalogPage(page: CatalogPage, style: NamingStyle) {
  const answer: CatalogPageAnswer = { catalogs: page.catalogs.map(catalogFields), ...(page.nextCursor ? { next_cursor: page.nextCursor } : {}) };
  return style === 'snake' ? answer : { catalogs: page.catalogs.map((state) => presentCatalog(state, style)), nextCursor: page.nextCursor };
}

export function presentStopped(outcome: StopOutcome, style: NamingStyle) {
  const answer: CatalogStoppedAnswer = {
    key: outcome.key,
    forgotten: outcome.forgotten,
    agents_deleted: outcome.agentsDeleted,
    agents_remaining: outcome.agentsRemaining,
  };
  return styled(style, answer);
}
