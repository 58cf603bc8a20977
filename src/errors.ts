/** One violated rule of a request: where (a JSON path such as `$.skills[0].id`) and what. */
export interface FieldViolation {
  path: string;
  message: string;
}

/** Base of every error the API shows to a client: an HTTP status and a stable machine-readable code. */
export abstract class AppError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  /** Extra response headers, such as `Retry-After`. */
  readonly headers: Record<string, string> = {};
  /** Machine-readable facts about the error beyond its code (such as the domain that refused a write). */
  readonly details: Record<string, string> = {};
}

export class ValidationError extends AppError {
  readonly status = 400;
  readonly code: string;
  constructor(
    message: string,
    readonly violations: FieldViolation[] = [],
    code = 'validation_failed',
  ) {
    super(message);
    this.code = code;
  }
}

export class InvalidJsonError extends AppError {
  readonly status = 400;
  readonly code = 'invalid_json';
}

/** A request the HTTP layer itself refused (a malformed path or body encoding), with its status. */
export class BadRequestError extends AppError {
  readonly code = 'bad_request';
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** No credentials, or credentials that do not prove who the caller is. */
export class UnauthorizedError extends AppError {
  readonly status = 401;
  readonly code = 'unauthorized';
  constructor(message: string, scheme = 'Bearer') {
    super(message);
    this.headers['WWW-Authenticate'] = `${scheme} realm="a2a-registry"`;
  }
}

/** The caller is known but may not do this, such as changing another owner's agent. */
export class ForbiddenError extends AppError {
  readonly status = 403;
  readonly code: string = 'forbidden';
}

/**
 * A write of a card whose interfaces live on a domain another principal proved: only that
 * principal (or an admin) may register or change such cards. `details.domain` names the domain.
 */
export class DomainOwnedError extends ForbiddenError {
  override readonly code = 'domain_owned';
  constructor(readonly domain: string, message = `Domain '${domain}' is proven by another principal: only it or an admin may register or change agents on it`) {
    super(message);
    this.details.domain = domain;
  }
}

/**
 * A write sent to a read-only mirror (`FOLLOW_URL`): its agents are changed on the source only.
 * `details.source` names the source registry, where the write belongs.
 */
export class ReadOnlyMirrorError extends ForbiddenError {
  override readonly code = 'read_only_mirror';
  constructor(readonly source: string) {
    super(`This registry is a read-only mirror of ${source}: send writes (register, update, delete, heartbeats, domain claims, extension trust) there`);
    this.details.source = source;
  }
}

/** A domain proof that did not hold: the challenge document was missing, or held another token. */
export class DomainProofFailedError extends AppError {
  readonly status = 422;
  readonly code = 'domain_proof_failed';
  constructor(readonly domain: string, message: string) {
    super(message);
    this.details.domain = domain;
  }
}

/** A document served as an AI Catalog that is not one: the publisher's fault, so a 502 like other unusable upstream answers. */
export class InvalidCatalogError extends AppError {
  readonly status = 502;
  readonly code = 'invalid_catalog';
  constructor(message: string, url: string) {
    super(message);
    this.details.url = url;
  }
}

/** With REQUIRE_SIGNED_CARDS on, a catalog whose own signature does not verify: it may have been altered, so none of it is read. */
export class CatalogSignatureInvalidError extends AppError {
  readonly status = 422;
  readonly code = 'catalog_signature_invalid';
  constructor(url: string) {
    super(`The AI Catalog at ${url} carries a signature that does not verify with its origin's keys, and this registry accepts only verified signatures`);
    this.details.url = url;
  }
}

/** The caller spent its request budget; `Retry-After` says when to come back. */
export class TooManyRequestsError extends AppError {
  readonly status = 429;
  readonly code = 'rate_limited';
  constructor(message: string, retryAfterSeconds: number, rateLimitHeaders: Record<string, string>) {
    super(message);
    Object.assign(this.headers, rateLimitHeaders, { 'Retry-After': String(retryAfterSeconds) });
  }
}

export class NotFoundError extends AppError {
  readonly status = 404;
  readonly code: string;
  constructor(message: string, code = 'not_found') {
    super(message);
    this.code = code;
  }
}

export class MethodNotAllowedError extends AppError {
  readonly status = 405;
  readonly code = 'method_not_allowed';
}

export class ConflictError extends AppError {
  readonly status = 409;
  readonly code = 'conflict';
}

/** A new agent's id that clashes with an agent stored already: the same id without case, or a derived id of another card's name. */
export class AgentIdTakenError extends AppError {
  readonly status = 409;
  readonly code = 'agent_id_taken';
}

/** An operation of the earlier registry this one does not offer; the message names what to use instead. */
export class UnsupportedOperationError extends AppError {
  readonly status = 501;
  readonly code = 'unsupported_operation';
}

export class PreconditionFailedError extends AppError {
  readonly status = 412;
  readonly code = 'precondition_failed';
}

/** An idempotency key sent again with another request than the one it was first used for. */
export class IdempotencyKeyReusedError extends AppError {
  readonly status = 422;
  readonly code = 'idempotency_key_reused';
}

/** A change log cursor whose events are no longer kept (trimmed, or the data set was lost): read a snapshot again. */
export class ChangesGoneError extends AppError {
  readonly status = 410;
  readonly code = 'changes_gone';
}

export class PayloadTooLargeError extends AppError {
  readonly status = 413;
  readonly code = 'payload_too_large';
}

/** A JSON-RPC batch whose answers so far spent the response's byte budget: the rest are not run. */
export class ResponseBudgetSpentError extends AppError {
  readonly status = 413;
  readonly code = 'response_budget_spent';
}

export class UnsupportedMediaTypeError extends AppError {
  readonly status = 415;
  readonly code = 'unsupported_media_type';
}

/** A dependency (Redis) did not answer in time; the client should retry later. */
export class UnavailableError extends AppError {
  readonly status = 503;
  readonly code: string = 'unavailable';
  constructor(message: string, retryAfterSeconds = 1) {
    super(message);
    this.headers['Retry-After'] = String(retryAfterSeconds);
  }
}

/**
 * A write the Redis primary applied but fewer of its replicas confirmed than `REDIS_WAIT_REPLICAS`
 * asks within `REDIS_WAIT_TIMEOUT_MS`: it is stored, and lost if the primary fails before a replica
 * copies it. A 503 rather than a success, so a client that needs the write to survive learns it did
 * not (yet); reading the record back shows it.
 */
export class WriteUnconfirmedError extends UnavailableError {
  override readonly code = 'write_unconfirmed';
}

/**
 * Redis is down, stalled or refusing: nothing of the request was done, or it was a read. The
 * message never shows the Redis client's own words (the cause keeps them, for the logs).
 */
export class StorageUnavailableError extends UnavailableError {
  constructor(cause?: unknown) {
    super('Storage unavailable: try again in a moment', 1);
    this.cause = cause;
  }
}

/**
 * A write was sent to Redis but its answer never came (a timeout, or the connection dropped): it
 * may have been applied. The client learns how to find out, and how to retry without doing it twice.
 */
export class WriteOutcomeUnknownError extends UnavailableError {
  override readonly code = 'write_outcome_unknown';
  constructor(cause?: unknown) {
    super(
      'Storage unavailable: the write may or may not have been applied. Read the agent to find out, or retry the request (with the same Idempotency-Key if you sent one)',
      1,
    );
    this.cause = cause;
  }
}

export class AgentNotFoundError extends NotFoundError {
  constructor(readonly agentId: string) {
    super(`Agent '${agentId}' not found`, 'agent_not_found');
  }
}
