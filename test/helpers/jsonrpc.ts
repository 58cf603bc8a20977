import { sendJson } from './registry-server.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
export interface RpcAnswer {
  result?: any;
  error?: { code: number; message: string; data?: any[] };
}

let nextId = 1;

/** One JSON-RPC call to the registry at `base` (with `headers`, such as credentials); returns its answer (result or error). */
export async function rpc(base: string, method: string, params?: unknown, headers: Record<string, string> = {}): Promise<RpcAnswer> {
  const call = { jsonrpc: '2.0', id: nextId++, method, ...(params !== undefined ? { params } : {}) };
  const res = await sendJson(`${base}/jsonrpc`, 'POST', call, headers);
  if (res.status !== 200) throw new Error(`${method}: HTTP ${res.status}`);
  return (await res.json()) as RpcAnswer;
}

/** The registry's stable error code (the ErrorInfo reason) of a JSON-RPC error. */
export function reasonOf(answer: RpcAnswer): string | undefined {
  return answer.error?.data?.find((d: any) => d['@type']?.endsWith('ErrorInfo'))?.reason;
}
