import { AppError } from '../errors.js';

/** The stable error codes of {@link OutboundFetchError}. */
export type OutboundErrorCode = 'url_not_allowed' | 'upstream_error' | 'upstream_timeout';

/** Why a URL was refused before anything was sent (status 400, code `url_not_allowed`). */
export type UrlRefusalReason =
  | 'invalid_url'
  | 'scheme_not_allowed'
  | 'insecure_redirect'
  | 'credentials_in_url'
  | 'port_not_allowed'
  | 'host_not_allowed'
  | 'address_not_allowed';

/** Why the upstream's answer was unusable (status 502, code `upstream_error`). */
export type UpstreamFailureReason =
  | 'dns_failed'
  | 'connection_failed'
  | 'tls_failed'
  | 'bad_status'
  | 'bad_redirect'
  | 'too_many_redirects'
  | 'bad_content_type'
  | 'unsupported_encoding'
  | 'json_too_deep'
  | 'too_large'
  | 'invalid_json'
  | 'no_agent_card';

/** Which deadline the upstream missed (status 504, code `upstream_timeout`). */
export type TimeoutReason = 'connect_timeout' | 'total_timeout';

/** Every stable `reason` an {@link OutboundFetchError} can carry. */
export type OutboundFailureReason = UrlRefusalReason | UpstreamFailureReason | TimeoutReason;

/**
 * The only error the fetcher throws. `status` and `code` are meant to be passed through to the API
 * client: 400 `url_not_allowed`, 502 `upstream_error`, 504 `upstream_timeout`; `reason` is a finer,
 * equally stable cause (such as `too_large`), and `url` the URL being fetched when it failed.
 * Messages never contain resolved addresses of a host name or the upstream's body.
 */
export abstract class OutboundFetchError extends AppError {
  abstract override readonly status: 400 | 502 | 504;
  abstract override readonly code: OutboundErrorCode;
  constructor(
    message: string,
    readonly reason: OutboundFailureReason,
    readonly url?: string,
  ) {
    super(message);
  }
}

/** A URL (or redirect target, or resolved address) the policy refuses: 400 `url_not_allowed`. */
export class UrlNotAllowedError extends OutboundFetchError {
  readonly status = 400;
  readonly code = 'url_not_allowed';
  constructor(message: string, reason: UrlRefusalReason, url?: string) {
    super(message, reason, url);
  }
}

/** The upstream failed or answered something unusable: 502 `upstream_error`. */
export class UpstreamError extends OutboundFetchError {
  readonly status = 502;
  readonly code = 'upstream_error';
  constructor(message: string, reason: UpstreamFailureReason, url?: string) {
    super(message, reason, url);
  }
}

/** The upstream missed the connect or the total deadline: 504 `upstream_timeout`. */
export class UpstreamTimeoutError extends OutboundFetchError {
  readonly status = 504;
  readonly code = 'upstream_timeout';
  constructor(message: string, reason: TimeoutReason, url?: string) {
    super(message, reason, url);
  }
}

/** {@link createSafeFetcher} was given an unusable option: 500 `outbound_misconfigured`. */
export class OutboundConfigError extends AppError {
  readonly status = 500;
  readonly code = 'outbound_misconfigured';
}
