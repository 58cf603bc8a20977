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
  readonly code = 'forbidden';
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

export class PreconditionFailedError extends AppError {
  readonly status = 412;
  readonly code = 'precondition_failed';
}

export class PayloadTooLargeError extends AppError {
  readonly status = 413;
  readonly code = 'payload_too_large';
}

export class UnsupportedMediaTypeError extends AppError {
  readonly status = 415;
  readonly code = 'unsupported_media_type';
}

/** A dependency (Redis) did not answer in time; the client should retry later. */
export class UnavailableError extends AppError {
  readonly status = 503;
  readonly code = 'unavailable';
  constructor(message: string, retryAfterSeconds = 1) {
    super(message);
    this.headers['Retry-After'] = String(retryAfterSeconds);
  }
}

export class AgentNotFoundError extends NotFoundError {
  constructor(readonly agentId: string) {
    super(`Agent '${agentId}' not found`, 'agent_not_found');
  }
}
