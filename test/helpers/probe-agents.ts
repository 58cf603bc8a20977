import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { AgentCard } from '@a2a-js/sdk';
import { DefaultRequestHandler, InMemoryTaskStore, type AgentExecutor } from '@a2a-js/sdk/server';
import { agentCardHandler, jsonRpcHandler, restHandler, UserBuilder } from '@a2a-js/sdk/server/express';
import express from 'express';

/** A 1.0 card whose preferred interface is `url` with `binding`. */
export function probeCard(name: string, url: string, binding = 'JSONRPC', overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    description: `${name} answers probes`,
    version: '1.0.0',
    supportedInterfaces: [{ url, protocolBinding: binding, protocolVersion: '1.0' }],
    capabilities: { streaming: false },
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/plain'],
    skills: [{ id: 'echo', name: 'Echo', description: 'Echoes text', tags: ['echo'] }],
    ...overrides,
  };
}

/** An executor that answers every message at once: probes must never reach it. */
function echoExecutor(calls: { count: number }): AgentExecutor {
  return {
    execute: async (context, bus) => {
      calls.count++;
      bus.publish({ kind: 'message', messageId: context.userMessage.messageId, role: 'agent', parts: [{ kind: 'text', text: 'echo' }] } as never);
      bus.finished();
    },
    cancelTask: async () => {},
  };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes a server, cutting its open connections (hanging requests among them). */
function closeAll(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy();
  return new Promise<void>((resolve) => server.close(() => resolve()));
}

function tracked(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return sockets;
}

export interface SdkAgent {
  origin: string;
  /** The card it serves; the test may change it (drift). */
  card: Record<string, unknown>;
  /** Messages its executor handled: a probe starts none. */
  executions: { count: number };
  close(): Promise<void>;
}

/**
 * A real A2A server of the SDK on loopback: its card at the well-known path, JSON-RPC at `/rpc`
 * and HTTP+JSON under `/rest`. `binding` picks the interface its card names first.
 */
export async function startSdkAgent(name: string, binding: 'JSONRPC' | 'HTTP+JSON' | 'GRPC' = 'JSONRPC'): Promise<SdkAgent> {
  const executions = { count: 0 };
  const app = express();
  const server = createServer(app);
  const sockets = tracked(server);
  const origin = await listen(server);
  const path = binding === 'HTTP+JSON' ? '/rest' : '/rpc';
  const agent: SdkAgent = { origin, card: probeCard(name, `${origin}${path}`, binding), executions, close: () => closeAll(server, sockets) };
  const handler = new DefaultRequestHandler(agent.card as unknown as AgentCard, new InMemoryTaskStore(), echoExecutor(executions));
  app.use('/.well-known/agent-card.json', agentCardHandler({ agentCardProvider: async () => agent.card as unknown as AgentCard }));
  app.use('/rpc', jsonRpcHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication }));
  app.use('/rest', restHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication }));
  return agent;
}

export interface PlainHost {
  origin: string;
  /** Requests by path, as they arrived. */
  requests: string[];
  close(): Promise<void>;
}

/** A loopback server that answers every request with `answer` (which may never answer). */
export async function startHost(answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<PlainHost> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    answer(req, res);
  });
  const sockets = tracked(server);
  const origin = await listen(server);
  return { origin, requests, close: () => closeAll(server, sockets) };
}

/** An origin nothing listens on: connections are refused. */
export async function refusingOrigin(): Promise<string> {
  const server = createServer();
  const origin = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return origin;
}
