import type { MethodHandler } from './jsonrpc-dispatcher.js';
import { readNoParams } from './params-reader.js';

/**
 * `methods` and the two methods that name every one of them, themselves included, in order:
 * `list_methods` and `system.listMethods` (the introspection name). Both answer a plain array, the
 * shape clients of the earlier registry parse.
 */
export function withMethodList(methods: ReadonlyMap<string, MethodHandler>): Map<string, MethodHandler> {
  const all = new Map(methods);
  const listMethods: MethodHandler = async (params) => {
    readNoParams(params);
    return [...all.keys()].sort();
  };
  all.set('list_methods', listMethods);
  all.set('system.listMethods', listMethods);
  return all;
}
