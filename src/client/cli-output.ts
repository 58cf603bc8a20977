import { formatFields, formatTable, truncate } from './cli-table.js';
import type { AgentPage, AgentRecord, ChangeEvent, DeletedAgent, HeartbeatResult, Json, SavedAgent } from './wire-types.js';

// How the CLI shows each answer by default: aligned tables a person reads. `--json` shows the JSON instead.

const text = (value: Json | undefined): string | undefined => (typeof value === 'string' ? value : undefined);

export function pageTable(page: AgentPage): string {
  if (page.results.length === 0) return 'No agents match.';
  const rows = page.results.map((r) => [r.agent_id, truncate(r.name, 40), r.status, String(r.revision), r.signature_status, truncate(r.description, 60)]);
  const table = formatTable(['AGENT_ID', 'NAME', 'STATUS', 'REVISION', 'SIGNATURE', 'DESCRIPTION'], rows);
  const total = `${page.count} of ${page.total_exact ? '' : 'about '}${page.total} agents`;
  return [table, '', total, ...(page.next_cursor ? [`next page: --cursor ${page.next_cursor}`] : [])].join('\n');
}

export function recordFields(record: AgentRecord): string {
  const card = record.agent_card;
  const skills = Array.isArray(card.skills) ? card.skills.map((skill) => text((skill as Record<string, Json>).id)).filter(Boolean) : [];
  return formatFields({
    agent_id: record.agent_id,
    name: text(card.name),
    description: text(card.description),
    version: text(card.version),
    status: record.status,
    revision: record.revision,
    format: record.format,
    signature: record.signature_status,
    skills: skills.join(', '),
    heartbeat_ttl: record.heartbeat_ttl_seconds === undefined ? undefined : `${record.heartbeat_ttl_seconds} s`,
    source_url: record.source_url,
    domain_verified: record.domain_verified,
    created_at: record.created_at,
    updated_at: record.updated_at,
  });
}

export function savedFields(saved: SavedAgent): string {
  return formatFields({ agent_id: saved.agent_id, revision: saved.revision, status: saved.status, created: saved.created, message: saved.message });
}

export function heartbeatFields(result: HeartbeatResult): string {
  return formatFields({ agent_id: result.agent_id, status: result.status, revision: result.revision, reactivated: result.reactivated, expires_at: result.expires_at ?? 'never' });
}

export function deletedFields(deleted: DeletedAgent): string {
  return formatFields({ agent_id: deleted.agent_id, revision: deleted.revision, message: deleted.message });
}

/** Widths of the watch table: a stream's rows cannot be measured before they are shown. */
const WATCH_COLUMNS: readonly [string, number][] = [
  ['AT', 24],
  ['KIND', 17],
  ['REVISION', 8],
  ['AGENT_ID', 0],
];

const watchLine = (cells: readonly string[]) => cells.map((cell, i) => cell.padEnd(WATCH_COLUMNS[i]?.[1] ?? 0)).join('  ').trimEnd();

export const watchHeader = (): string => watchLine(WATCH_COLUMNS.map(([name]) => name));

export const watchRow = (event: ChangeEvent): string => watchLine([event.at, event.kind, String(event.revision), event.agent_id]);
