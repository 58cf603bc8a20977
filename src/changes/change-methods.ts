import type { MethodHandler } from '../jsonrpc/jsonrpc-dispatcher.js';
import { paramsReader } from '../jsonrpc/params-reader.js';
import { presentChangePage } from './change-presenter.js';
import { changesRequest, changesRequestOf } from './change-requests.js';
import type { ChangeService } from './change-service.js';

const readListChanges = paramsReader(changesRequest);

/** JSON-RPC `list_changes {since?, limit?, agent_id?, kind?, include_card?, skill?, tag?, ...}`: what `GET /changes` answers. */
export function changeMethods(changes: ChangeService): Map<string, MethodHandler> {
  const listChanges: MethodHandler = async (params) =>
    presentChangePage(await changes.page(changesRequestOf(readListChanges(params)), '$.params.since'));
  return new Map([['list_changes', listChanges]]);
}
