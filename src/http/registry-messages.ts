import { IncomingMessage, ServerResponse } from 'node:http';

/** Where Express's router notes the errors a request met (a registered symbol, shared across its copies). */
const ROUTER_ERRORS: unique symbol = Symbol.for('router.tracing.publishedErrors');

/*
 * The request and response objects of the registry's servers declare every field that Node,
 * Express, its router, body parsing and the registry's own middleware set on them, so each one has
 * its final shape from construction. Added one by one as a request passes the layers, in an order
 * that varies by route, those fields gave the objects many shapes, and the property accesses of
 * every layer (Node's, Express's and ours) turned polymorphic: a GET or /health took about twice
 * the CPU.
 */

/**
 * The request object of the registry's servers.
 *
 * `query` is absent on purpose: Express serves it from a getter that an own field would hide. So is
 * the router's private symbol for the matched route, which no other module can name.
 */
export class RegistryRequest extends IncomingMessage {
  // Node and Express; a stream's listener count is inherited (0) until its first listener
  _eventsCount = 0;
  res: unknown = undefined;
  originalUrl: unknown = undefined;
  _parsedUrl: unknown = undefined;
  _parsedOriginalUrl: unknown = undefined;
  // the router
  [ROUTER_ERRORS]: unknown = undefined;
  next: unknown = undefined;
  baseUrl: unknown = undefined;
  params: unknown = undefined;
  route: unknown = undefined;
  // body parsing
  body: unknown = undefined;
  rawBody: unknown = undefined;
  // the registry's middleware
  id: unknown = undefined;
  principal: unknown = undefined;
}

/**
 * The response object of the registry's servers. `statusCode` and `statusMessage` start with the
 * values Node's prototype gives them. Compression's wrappers of `write`, `end` and friends are not
 * declared: it adds them only to responses that may be compressed.
 */
export class RegistryResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
  override statusCode = ServerResponse.prototype.statusCode;
  override statusMessage = ServerResponse.prototype.statusMessage;
  locals: unknown = undefined;
}
