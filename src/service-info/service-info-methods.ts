import type { MethodHandler } from '../jsonrpc/jsonrpc-dispatcher.js';
import { readNoParams } from '../jsonrpc/params-reader.js';
import { registryCardWithEarlierFields, type ReadCredentials } from './registry-card.js';

export interface ServiceInfoMethodsDependencies {
  version: string;
  publicUrl: string;
  storeKind: string;
  /** What callers of the registry's A2A door must authenticate with, as its card says. */
  readCredentials: ReadCredentials;
  /** How many active agents there are, for `health_check`. */
  countAgents: () => Promise<number>;
}

/** The methods about the registry itself, as the earlier registry named them. */
export function serviceInfoMethods(deps: ServiceInfoMethodsDependencies): Map<string, MethodHandler> {
  return new Map<string, MethodHandler>([
    [
      'get_agent_card',
      async (params) => {
        readNoParams(params);
        return { agent_card: registryCardWithEarlierFields(deps.publicUrl, deps.version, deps.readCredentials) };
      },
    ],
    [
      'health_check',
      async (params) => {
        readNoParams(params);
        return {
          status: 'healthy',
          service: 'A2A Registry',
          version: deps.version,
          store: deps.storeKind,
          transport: 'JSONRPC',
          agents_count: await deps.countAgents(),
        };
      },
    ],
  ]);
}
