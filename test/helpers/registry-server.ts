import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/logger.js';
import { createRegistry, type Registry } from '../../src/registry.js';

export interface RunningRegistry {
  registry: Registry;
  server: Server;
  baseUrl: string;
  close(): Promise<void>;
}

/** Starts a registry on a free loopback port with the given environment (silent logs). */
export async function startRegistry(env: Record<string, string> = {}): Promise<RunningRegistry> {
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...env });
  const registry = await createRegistry(config, createLogger('silent', false));
  const server = await registry.listen();
  const { port } = server.address() as AddressInfo;
  return {
    registry,
    server,
    baseUrl: `http://127.0.0.1:${port}`,
    close: async () => {
      await registry.close();
    },
  };
}

/** fetch with a JSON body and the JSON content type. */
export function sendJson(url: string, method: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
