import { actorOf } from '../auth/auth-middleware.js';
import type { MethodHandler } from '../jsonrpc/jsonrpc-dispatcher.js';
import { paramsReader } from '../jsonrpc/params-reader.js';
import { agentRefRequest } from '../agents/agent-requests.js';
import { presentAgentExtensions, presentExtension, presentExtensionInfo, presentExtensionList } from './extension-presenter.js';
import { parseExtensionInfo, parseExtensionList, parseTrustWrite } from './extension-schemas.js';
import type { ExtensionService } from './extension-service.js';

const readAgentRef = paramsReader(agentRefRequest);

/** The methods that change the catalog: they need credentials (an admin's) and count against the write budget. */
export const EXTENSION_WRITE_METHODS: ReadonlySet<string> = new Set(['set_extension_trust']);

/** The extension catalog's JSON-RPC door, under the earlier registry's method names. */
export function extensionMethods(extensions: ExtensionService): Map<string, MethodHandler> {
  return new Map<string, MethodHandler>([
    ['list_extensions', async (params) => presentExtensionList(await extensions.list(parseExtensionList(params, '$.params')))],
    [
      'get_extension_info',
      async (params) => ({ found: true, extension_info: presentExtensionInfo(await extensions.info(parseExtensionInfo(params, '$.params'))) }),
    ],
    [
      'get_agent_extensions',
      async (params) => {
        const { agent_id: id } = readAgentRef(params);
        return presentAgentExtensions(id, await extensions.ofAgent(id));
      },
    ],
    [
      'set_extension_trust',
      async (params, context) => {
        const write = parseTrustWrite(params, '$.params');
        return presentExtension(await extensions.setTrust(write.uri, write.trustLevel, actorOf(context.principal)));
      },
    ],
  ]);
}
