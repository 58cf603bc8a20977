import type { Request, RequestHandler } from 'express';
import { actorOf } from '../auth/auth-middleware.js';
import { listingRouter, type EndpointList, type Routes } from '../http/app.js';
import { sendJson } from '../http/send-json.js';
import { presentAgentExtensions, presentExtension, presentExtensionInfo, presentExtensionList } from './extension-presenter.js';
import { parseExtensionInfo, parseExtensionList, parseTrustWrite } from './extension-schemas.js';
import type { ExtensionService } from './extension-service.js';

/**
 * The URI in the path of `/extensions/*uri...`: percent-encoded as one segment, or as it is, slashes
 * and all (`/extensions/https://ext.example/geo/v1`), which is how clients of the earlier registry sent it.
 */
const pathUri = (req: Request): string => (req.params.uri as unknown as string[]).join('/');

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The REST door of the extension catalog, and its `endpoints`, once mounted. */
export function extensionRoutes(extensions: ExtensionService, jsonBody: RequestHandler): Routes & { endpoints: EndpointList } {
  const endpoints: EndpointList = {};
  const routes: Routes = (router) => {
    const mount = listingRouter(router, endpoints);
    mount.get('extensions', '/extensions', async (req, res) => {
      sendJson(res, 200, presentExtensionList(await extensions.list(parseExtensionList(req.query))));
    });
    mount.put('extension_trust', '/extensions/*uri/trust', jsonBody, async (req, res) => {
      const write = parseTrustWrite(isObject(req.body) ? { ...req.body, uri: pathUri(req) } : req.body);
      sendJson(res, 200, presentExtension(await extensions.setTrust(write.uri, write.trustLevel, actorOf(req.principal))));
    });
    mount.get('extension', '/extensions/*uri', async (req, res) => {
      sendJson(res, 200, presentExtensionInfo(await extensions.info(parseExtensionInfo({ ...req.query, uri: pathUri(req) }))));
    });
    mount.get('agent_extensions', '/agents/:id/extensions', async (req, res) => {
      const id = req.params.id as string;
      sendJson(res, 200, presentAgentExtensions(id, await extensions.ofAgent(id)));
    });
  };
  return Object.assign(routes, { endpoints });
}
