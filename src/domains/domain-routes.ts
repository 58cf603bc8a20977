import type { Request } from 'express';
import { actorOf } from '../auth/auth-middleware.js';
import { listingRouter, type EndpointList, type Routes } from '../http/app.js';
import { sendJson } from '../http/send-json.js';
import { parseRequest } from '../validation.js';
import { domainRequest } from './domain-requests.js';
import { presentChallenge, presentClaim, presentRemoved, presentVerified } from './domain-presenter.js';
import type { DomainService } from './domain-service.js';

const domainOf = (req: Request) => parseRequest(domainRequest, { domain: req.params.domain }).domain;

/** The REST door of domain proofs: HTTP to the domain service and back. */
export function domainRoutes(domains: DomainService): Routes & { endpoints: EndpointList } {
  const endpoints: EndpointList = {};
  const routes: Routes = (router) => {
    const mount = listingRouter(router, endpoints);
    mount.post('domain_challenge', '/domains/:domain/challenge', async (req, res) => {
      sendJson(res, 201, presentChallenge(await domains.challenge(domainOf(req), actorOf(req.principal)), 'snake'));
    });
    mount.post('domain_verify', '/domains/:domain/verify', async (req, res) => {
      sendJson(res, 200, presentVerified(await domains.verify(domainOf(req), actorOf(req.principal)), 'snake'));
    });
    mount.get('domain', '/domains/:domain', async (req, res) => {
      res.set('Cache-Control', 'no-cache');
      sendJson(res, 200, presentClaim(await domains.get(domainOf(req)), 'snake'));
    });
    mount.delete('domain_remove', '/domains/:domain', async (req, res) => {
      const domain = domainOf(req);
      sendJson(res, 200, presentRemoved(domain, await domains.remove(domain, actorOf(req.principal)), 'snake'));
    });
  };
  return Object.assign(routes, { endpoints });
}
