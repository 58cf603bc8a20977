/** A copy of `params` with camelCase keys in snake_case (`agentId` becomes `agent_id`), so both spellings read alike. */
export function snakeCaseKeys(params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params).map(([key, value]) => [key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), value]));
}
