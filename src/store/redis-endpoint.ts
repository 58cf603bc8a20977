/** A host and port of a Redis server or Sentinel, as `REDIS_SENTINELS` and `REDIS_CLUSTER_NODES` list them. */
export interface RedisAddress {
  host: string;
  port: number;
}

/** Credentials and TLS for the Redis servers of a Sentinel or Cluster deployment (a URL carries its own). */
export interface RedisServerAuth {
  /** ACL user. @defaultValue unset (the `default` user) */
  username?: string | undefined;
  /** @defaultValue unset (no AUTH) */
  password?: string | undefined;
  /** Whether to speak TLS to the Redis servers (and to the Sentinels). @defaultValue false */
  tls: boolean;
}

/**
 * The Redis the registry uses, in one of three shapes: one server by URL (`REDIS_URL`), a primary
 * found through Sentinel (`REDIS_SENTINELS`), or a Redis Cluster (`REDIS_CLUSTER_NODES`).
 */
export type RedisEndpoint =
  | { mode: 'single'; url: string }
  | ({ mode: 'sentinel'; sentinels: RedisAddress[]; masterName: string; sentinelPassword?: string | undefined } & RedisServerAuth)
  | ({ mode: 'cluster'; nodes: RedisAddress[] } & RedisServerAuth);

const ADDRESS = /^(?:\[([0-9a-f:.]+)\]|([\w.-]+)):(\d{1,5})$/i;

/** Parses `host:port,host:port` (IPv6 hosts in brackets); undefined when an entry is not one. */
export function parseAddresses(list: string): RedisAddress[] | undefined {
  const entries = list.split(',').map((entry) => entry.trim()).filter(Boolean);
  const addresses = entries.map((entry) => {
    const match = ADDRESS.exec(entry);
    const port = Number(match?.[3]);
    return match && port >= 1 && port <= 65535 ? { host: (match[1] ?? match[2]) as string, port } : undefined;
  });
  if (addresses.length === 0 || addresses.some((address) => address === undefined)) return undefined;
  return addresses as RedisAddress[];
}

/** The endpoint for logs: where it is, never its secrets. */
export function describeEndpoint(endpoint: RedisEndpoint): Record<string, unknown> {
  const list = (addresses: RedisAddress[]) => addresses.map(({ host, port }) => `${host}:${port}`).join(',');
  if (endpoint.mode === 'sentinel') return { mode: 'sentinel', sentinels: list(endpoint.sentinels), master: endpoint.masterName };
  if (endpoint.mode === 'cluster') return { mode: 'cluster', nodes: list(endpoint.nodes) };
  return { mode: 'single' };
}
