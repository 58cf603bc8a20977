import type { EndpointList, Routes } from '../http/app.js';
import { sendJson, sendJsonText } from '../http/send-json.js';
import type { z } from 'zod';
import { registryCard, type ReadCredentials } from './registry-card.js';
import type { healthResponse, readinessResponse, serviceDocumentResponse } from './service-info-responses.js';

export interface ServiceInfo {
  version: string;
  publicUrl: string;
  /** Which store holds the agents. */
  storeKind: 'redis' | 'memory';
  /** What callers of the registry's A2A door must authenticate with, as its card says. */
  readCredentials: ReadCredentials;
}

/** What readiness depends on: each check's name and whether it passes now. */
export type ReadinessProbe = () => Promise<Record<string, boolean>>;

export interface ServiceInfoDependencies extends ServiceInfo {
  readiness: ReadinessProbe;
  /** The REST endpoints mounted, read when `GET /` is asked; none (a worker): no API is listed. */
  endpoints: () => EndpointList;
  /** Serves `/metrics` here when given; absent when metrics have a port of their own. */
  metrics?: MetricsExposition;
  /**
   * A mirror's state, shown by `/ready` as `mirror` in the process that follows the source; it
   * does not make the process unready: the mirror still serves what it holds while its source is away.
   */
  mirror?: () => Record<string, unknown>;
}

/** Prometheus exposition of this process's metrics. */
export interface MetricsExposition {
  text: () => Promise<string>;
  contentType: string;
}

/** `GET /metrics` alone, for the API router or a metrics port of its own. */
export function metricsRoutes(metrics: MetricsExposition): Routes {
  return (router) => {
    router.get('/metrics', async (_req, res) => {
      res.type(metrics.contentType).send(await metrics.text());
    });
  };
}

/** The service document, liveness and the registry's own agent card. */
export function serviceInfoRoutes(info: ServiceInfoDependencies): Routes {
  const card = JSON.stringify(registryCard(info.publicUrl, info.version, info.readCredentials));
  const healthBody: z.infer<typeof healthResponse> = { status: 'healthy', service: 'A2A Registry', version: info.version };
  const health = JSON.stringify(healthBody);
  return (router) => {
    router.get('/health', (_req, res) => {
      sendJsonText(res, 200, health);
    });

    router.get('/ready', async (_req, res) => {
      const checks = await info.readiness();
      const ready = Object.values(checks).every(Boolean);
      const body: z.infer<typeof readinessResponse> = { status: ready ? 'ready' : 'not_ready', checks, ...(info.mirror ? { mirror: info.mirror() } : {}) };
      sendJson(res, ready ? 200 : 503, body);
    });

    if (info.metrics) metricsRoutes(info.metrics)(router);

    for (const path of ['/.well-known/agent-card.json', '/.well-known/agent.json']) {
      router.get(path, (_req, res) => {
        res.set('Cache-Control', 'public, max-age=300');
        sendJsonText(res, 200, card);
      });
    }

    router.get('/', (_req, res) => {
      const endpoints = info.endpoints();
      const servesApi = Object.keys(endpoints).length > 0;
      const body: z.infer<typeof serviceDocumentResponse> = {
        service: 'A2A Registry',
        version: info.version,
        store: info.storeKind,
        description: 'Registry of Agent2Agent (A2A) agent cards with REST and JSON-RPC 2.0 access',
        ...(servesApi
          ? {
              protocols: {
                primary: { transport: 'JSONRPC', endpoint: '/jsonrpc', description: 'JSON-RPC 2.0 (A2A default)' },
                secondary: { transport: 'HTTP+JSON', endpoints },
              },
            }
          : {}),
        health_check: '/health',
        readiness: '/ready',
        metrics: '/metrics',
        agent_card: '/.well-known/agent-card.json',
        api_document: '/openapi.json',
      };
      sendJson(res, 200, body);
    });

  };
}
