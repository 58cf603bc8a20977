/**
 * Verification of agent card signatures (A2A specification section 8.4). Each `signatures[]` entry
 * is a flattened JWS (RFC 7515) whose payload is detached: the payload is the base64url form of the
 * card's canonical bytes, so the signing input is `protected + "." + payload`. Signers disagree on
 * those bytes, so each known form is tried (`signing-forms.ts`), and one vouches for the card only
 * when it covers everything a reader sees.
 */
import { base64url, errors, flattenedVerify } from 'jose';
import type { CryptoKey, FlattenedJWSInput, JWK, KeyObject } from 'jose';
import { CanonicalisationError } from './card-canonical.js';
import { candidatePayloads, type CandidatePayload, type SigningFormName } from './signing-forms.js';

/** The outcome of checking a card's signatures. */
export type SignatureStatus = 'verified' | 'invalid' | 'unsigned';

/** A public key that can check a signature: a Web Crypto key, a Node.js key object, or a public JWK. */
export type VerificationKey = CryptoKey | KeyObject | JWK;

/** What a signature's protected header says about the key that made it. */
export interface KeyHint {
  /** The JWS algorithm, already checked against the allow-list. */
  alg: string;
  /** The key ID, from the protected header (or, failing that, the unprotected one). */
  kid?: string;
  /** The JWKS URL the signer named. Untrusted: a resolver must not fetch it unless it is on the card's origin. */
  jku?: string;
}

/**
 * Finds the trusted public key(s) for a signature. Returning several keys makes the verifier try
 * each (key rotation, JWKS entries without `kid`); returning `undefined` or `[]` means "no trusted
 * key". A resolver may throw; the verifier records that as a problem of that signature.
 */
export interface KeyResolver {
  resolve(header: KeyHint, cardOrigin: string | undefined): Promise<VerificationKey | readonly VerificationKey[] | undefined>;
}

/** Options of {@link verifyCardSignatures}. */
export interface VerifyCardSignaturesOptions {
  /**
   * Accepted JWS algorithms (default {@link DEFAULT_SIGNATURE_ALGORITHMS}). `none` and the HMAC
   * algorithms (`HS256`, `HS384`, `HS512`) are never accepted, even when listed here.
   */
  algorithms?: readonly string[];
  /** At most this many `signatures[]` entries are checked (default {@link MAX_CHECKED_SIGNATURES}). */
  maxSignatures?: number;
}

/**
 * Why no signature verified, as a stable code:
 * - `malformed_card`: the card is not a JSON object, repeats a member, has no canonical form, or its `signatures` is not a list;
 * - `malformed_signature`: an entry, its protected header or its encoding is not a JWS the specification allows;
 * - `unsupported_alg`: the algorithm is not on the allow-list (`none` and HMAC never are);
 * - `no_trusted_key`: no trusted key has the signature's `kid` (or, without one, its algorithm);
 * - `expired_key`: the keys it names are past the `exp` their JWK carries;
 * - `key_lookup_failed`: the keys could not be fetched (the card origin's JWKS did not answer);
 * - `bad_signature`: the signature does not verify with the trusted key over any form of the card;
 * - `uncovered_content`: it verifies only over a form that leaves out content a reader sees, which
 *   could then be changed without breaking it (see `signing-forms.ts`).
 */
export type SignatureErrorCode =
  | 'malformed_card'
  | 'malformed_signature'
  | 'unsupported_alg'
  | 'no_trusted_key'
  | 'expired_key'
  | 'key_lookup_failed'
  | 'bad_signature'
  | 'uncovered_content';

/** Why a signed card did not verify: the first signature's reason as a code, and every signature's in words. */
export interface SignatureError {
  code: SignatureErrorCode;
  message: string;
}

/** Thrown by a key resolver when the only keys a signature names have expired. */
export class ExpiredKeyError extends Error {
  override readonly name = 'ExpiredKeyError';
}

/** The result of {@link verifyCardSignatures}. */
export interface SignatureVerification {
  status: SignatureStatus;
  /** The `kid` of the signature that verified, when it had one. */
  verifiedKid?: string;
  /** Which form of the card the signature that verified covers (see `signing-forms.ts`). */
  form?: SigningFormName;
  /** Why the card is `invalid`; absent otherwise. */
  error?: SignatureError;
  /** Why signatures (or the card) could not be verified, one message each; may be non-empty when verified. */
  problems: string[];
}

/** The algorithms accepted when no allow-list is given. */
export const DEFAULT_SIGNATURE_ALGORITHMS: readonly string[] = ['ES256', 'ES384', 'ES512', 'EdDSA', 'PS256', 'RS256'];

/** How many signatures are checked when no other limit is given, so one card cannot cause unbounded work. */
export const MAX_CHECKED_SIGNATURES = 8;

const NEVER_ACCEPTED = new Set(['none', 'HS256', 'HS384', 'HS512']);
/** `typ` values accepted (compared case-insensitively): the spec's "JOSE", and "JWT", which PyJWT-based signers emit by default. */
const ACCEPTED_TYP = new Set(['jose', 'jwt', 'application/jose', 'application/jwt']);
const BASE64URL = /^[A-Za-z0-9_-]*$/;

interface SignatureEntry {
  protected: string;
  signature: string;
  header?: Record<string, unknown>;
}

type EntryOutcome = { verified: true; kid?: string; form: SigningFormName } | { verified: false; code: SignatureErrorCode; problem: string };

class SignatureProblem extends Error {
  constructor(
    readonly code: SignatureErrorCode,
    message: string,
  ) {
    super(message);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A header value quoted for a problem message, cut short: it comes from the card's author. */
function quoted(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The origin of the card's service: that of the first `supportedInterfaces[].url` (1.0 cards), or
 * of `url` (0.3 cards). `undefined` when there is no http(s) URL to take it from.
 */
export function cardOriginOf(card: Record<string, unknown>): string | undefined {
  const interfaces = card.supportedInterfaces;
  const first: unknown = Array.isArray(interfaces) && interfaces.length > 0 ? interfaces[0] : undefined;
  const url = first === undefined ? card.url : isPlainObject(first) ? first.url : undefined;
  if (typeof url !== 'string' || !URL.canParse(url)) return undefined;
  const parsed = new URL(url);
  return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.origin : undefined;
}

/** The index just past the string literal that opens at `index`. */
function endOfString(text: string, index: number): number {
  for (let at = index + 1; at < text.length; at++) {
    if (text[at] === '\\') at++;
    else if (text[at] === '"') return at + 1;
  }
  return text.length;
}

/**
 * The first member name that occurs twice in one object of JSON text that JSON.parse accepted.
 * JSON.parse keeps the last one silently, so a duplicate lets two readers see different cards.
 */
export function firstDuplicateKey(text: string): string | undefined {
  const objects: Array<Set<string> | null> = [];
  let expectingKey = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === '"') {
      const end = endOfString(text, index);
      const members = objects.at(-1);
      if (members && expectingKey) {
        const key = JSON.parse(text.slice(index, end)) as string;
        if (members.has(key)) return key;
        members.add(key);
        expectingKey = false;
      }
      index = end - 1;
    } else if (char === '{' || char === '[') {
      objects.push(char === '{' ? new Set() : null);
      expectingKey = char === '{';
    } else if (char === '}' || char === ']') {
      objects.pop();
      expectingKey = false;
    } else if (char === ',') {
      expectingKey = objects.at(-1) instanceof Set;
    }
  }
  return undefined;
}

/** The card object of the text as received, or the reason it is not one. */
function parseCard(cardJson: string): Record<string, unknown> | string {
  let card: unknown;
  try {
    card = JSON.parse(cardJson);
  } catch (error) {
    return `card is not valid JSON: ${messageOf(error)}`;
  }
  return isPlainObject(card) ? card : 'card is not a JSON object';
}

function decodeBase64url(value: string, what: string): Uint8Array {
  if (!BASE64URL.test(value) || value.length % 4 === 1) throw new SignatureProblem('malformed_signature', `${what} is not base64url`);
  return base64url.decode(value);
}

function parseProtectedHeader(encoded: string): Record<string, unknown> {
  if (encoded.length === 0) throw new SignatureProblem('malformed_signature', 'protected header is empty');
  const bytes = decodeBase64url(encoded, 'protected header');
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new SignatureProblem('malformed_signature', 'protected header is not JSON');
  }
  if (!isPlainObject(header)) throw new SignatureProblem('malformed_signature', 'protected header is not a JSON object');
  return header;
}

function asEntry(value: unknown): SignatureEntry {
  if (!isPlainObject(value)) throw new SignatureProblem('malformed_signature', 'entry is not an object');
  if (typeof value.protected !== 'string') throw new SignatureProblem('malformed_signature', 'entry has no "protected" string');
  if (typeof value.signature !== 'string') throw new SignatureProblem('malformed_signature', 'entry has no "signature" string');
  if (value.header !== undefined && !isPlainObject(value.header)) throw new SignatureProblem('malformed_signature', '"header" is not an object');
  decodeBase64url(value.signature, 'signature');
  return value as unknown as SignatureEntry;
}

function optionalString(header: Record<string, unknown>, name: string): string | undefined {
  const value = header[name];
  if (value !== undefined && typeof value !== 'string') throw new SignatureProblem('malformed_signature', `"${name}" is not a string`);
  return value;
}

function checkAlgorithm(header: Record<string, unknown>, allowed: ReadonlySet<string>): string {
  const alg = header.alg;
  if (typeof alg !== 'string' || alg.length === 0) throw new SignatureProblem('malformed_signature', 'protected header has no "alg"');
  if (!allowed.has(alg)) throw new SignatureProblem('unsupported_alg', `algorithm ${quoted(alg)} is not allowed`);
  return alg;
}

/** Checks the protected header (and the unprotected one) and extracts what the key resolver needs. */
function checkHeader(entry: SignatureEntry, allowed: ReadonlySet<string>): KeyHint {
  const header = parseProtectedHeader(entry.protected);
  const alg = checkAlgorithm(header, allowed);
  const typ = optionalString(header, 'typ');
  if (typ !== undefined && !ACCEPTED_TYP.has(typ.toLowerCase())) throw new SignatureProblem('malformed_signature', `"typ" ${quoted(typ)} is not JOSE`);
  if (header.b64 !== undefined) throw new SignatureProblem('malformed_signature', '"b64" is not supported: the payload is always base64url');
  const unprotected = entry.header ?? {};
  const kid = optionalString(header, 'kid') ?? optionalString(unprotected, 'kid');
  const jku = optionalString(header, 'jku');
  return { alg, ...(kid === undefined ? {} : { kid }), ...(jku === undefined ? {} : { jku }) };
}

function asKeyList(keys: VerificationKey | readonly VerificationKey[] | undefined): readonly VerificationKey[] {
  if (keys === undefined) return [];
  return Array.isArray(keys) ? keys : [keys as VerificationKey];
}

async function resolveKeys(resolver: KeyResolver, hint: KeyHint, origin: string | undefined): Promise<readonly VerificationKey[]> {
  let keys: readonly VerificationKey[];
  try {
    keys = asKeyList(await resolver.resolve(hint, origin));
  } catch (error) {
    if (error instanceof ExpiredKeyError) throw new SignatureProblem('expired_key', error.message);
    throw new SignatureProblem('key_lookup_failed', `key lookup failed: ${messageOf(error)}`);
  }
  if (keys.length === 0) {
    throw new SignatureProblem('no_trusted_key', hint.kid === undefined ? 'no trusted key for this signature' : `no trusted key ${quoted(hint.kid)}`);
  }
  return keys;
}

/** Whether one key verifies the JWS; an error other than a failed signature is a problem of the entry. */
async function verifiesWith(jws: FlattenedJWSInput, key: VerificationKey, algorithms: string[]): Promise<boolean> {
  try {
    await flattenedVerify(jws, key, { algorithms });
    return true;
  } catch (error) {
    if (error instanceof errors.JWSSignatureVerificationFailed) return false;
    throw new SignatureProblem('malformed_signature', `signature could not be checked: ${messageOf(error)}`);
  }
}

interface VerificationContext {
  /** The card's payloads, one per distinct signing form. */
  candidates: readonly CandidatePayload[];
  origin: string | undefined;
  resolver: KeyResolver;
  allowed: ReadonlySet<string>;
}

async function verifyEntry(value: unknown, context: VerificationContext): Promise<EntryOutcome> {
  try {
    const entry = asEntry(value);
    const hint = checkHeader(entry, context.allowed);
    const keys = await resolveKeys(context.resolver, hint, context.origin);
    const candidate = await verifyingCandidate(entry, keys, hint.alg, context.candidates);
    if (candidate === undefined) return { verified: false, code: 'bad_signature', problem: 'signature does not verify with the trusted key' };
    if (candidate.uncovered.length > 0) {
      return { verified: false, code: 'uncovered_content', problem: uncoveredProblem(candidate) };
    }
    return { verified: true, form: candidate.form, ...(hint.kid === undefined ? {} : { kid: hint.kid }) };
  } catch (error) {
    if (error instanceof SignatureProblem) return { verified: false, code: error.code, problem: error.message };
    return { verified: false, code: 'malformed_signature', problem: `signature could not be checked: ${messageOf(error)}` };
  }
}

/**
 * The first candidate payload the entry's signature verifies over with one of the keys: forms that
 * cover the whole card first; those that leave content out only to say so when nothing else verifies.
 */
async function verifyingCandidate(
  entry: SignatureEntry,
  keys: readonly VerificationKey[],
  alg: string,
  candidates: readonly CandidatePayload[],
): Promise<CandidatePayload | undefined> {
  const ordered = [...candidates.filter((c) => c.uncovered.length === 0), ...candidates.filter((c) => c.uncovered.length > 0)];
  for (const candidate of ordered) {
    const jws: FlattenedJWSInput = {
      protected: entry.protected,
      payload: base64url.encode(candidate.payload),
      signature: entry.signature,
      ...(entry.header === undefined ? {} : { header: entry.header }),
    };
    for (const key of keys) {
      if (await verifiesWith(jws, key, [alg])) return candidate;
    }
  }
  return undefined;
}

function uncoveredProblem(candidate: CandidatePayload): string {
  return (
    `signature verifies only over the ${candidate.form} form of the card, which does not cover ${candidate.uncovered.join(', ')}: ` +
    'that content could be changed without breaking the signature (sign with a signer that keeps it, or leave it out of the card)'
  );
}

function allowedAlgorithms(options: VerifyCardSignaturesOptions | undefined): ReadonlySet<string> {
  const listed = options?.algorithms ?? DEFAULT_SIGNATURE_ALGORITHMS;
  return new Set(listed.filter((alg) => !NEVER_ACCEPTED.has(alg)));
}

function payloadsOf(card: Record<string, unknown>): CandidatePayload[] {
  try {
    return candidatePayloads(card);
  } catch (error) {
    if (error instanceof CanonicalisationError || error instanceof RangeError) {
      throw new SignatureProblem('malformed_card', `card has no canonical form: ${error.message}`);
    }
    throw error;
  }
}

/** The verification of a card without signatures. */
export function unsignedVerification(): SignatureVerification {
  return { status: 'unsigned', problems: [] };
}

/** Longest `error.message` kept: it goes on the record and into every listing that shows it. */
export const MAX_ERROR_MESSAGE_LENGTH = 512;

function invalid(code: SignatureErrorCode, problems: string[]): SignatureVerification {
  const message = problems.join('; ');
  const bounded = message.length > MAX_ERROR_MESSAGE_LENGTH ? `${message.slice(0, MAX_ERROR_MESSAGE_LENGTH - 1)}…` : message;
  return { status: 'invalid', error: { code, message: bounded }, problems };
}

async function verifyEntries(entries: readonly unknown[], context: VerificationContext, limit: number): Promise<SignatureVerification> {
  const problems: string[] = [];
  let firstCode: SignatureErrorCode = 'bad_signature';
  for (const [index, entry] of entries.slice(0, limit).entries()) {
    const outcome = await verifyEntry(entry, context);
    if (outcome.verified) {
      return { status: 'verified', form: outcome.form, ...(outcome.kid === undefined ? {} : { verifiedKid: outcome.kid }), problems };
    }
    if (index === 0) firstCode = outcome.code;
    problems.push(`signatures[${index}]: ${outcome.problem}`);
  }
  if (entries.length > limit) problems.push(`only the first ${limit} of ${entries.length} signatures were checked`);
  return invalid(firstCode, problems);
}

/**
 * Checks the signatures of a card, given as the exact JSON text received (never a re-serialised
 * copy). `verified` when at least one `signatures[]` entry verifies with a key the resolver trusts;
 * `unsigned` when the card has no signatures (absent, `null` or `[]`); `invalid` otherwise,
 * including for text that is not a JSON object, a signed card that repeats a member name (readers
 * could then disagree on what was signed), and malformed entries.
 * Never throws: every failure becomes a message in `problems`.
 */
export async function verifyCardSignatures(
  cardJson: string,
  resolver: KeyResolver,
  options?: VerifyCardSignaturesOptions,
): Promise<SignatureVerification> {
  try {
    const card = parseCard(cardJson);
    if (typeof card === 'string') return invalid('malformed_card', [card]);
    const signatures = card.signatures;
    if (signatures === undefined || signatures === null) return unsignedVerification();
    if (!Array.isArray(signatures)) return invalid('malformed_card', ['"signatures" is not an array']);
    if (signatures.length === 0) return unsignedVerification();
    const duplicate = firstDuplicateKey(cardJson);
    if (duplicate !== undefined) return invalid('malformed_card', [`card repeats the member ${quoted(duplicate)}`]);
    const allowed = allowedAlgorithms(options);
    const context: VerificationContext = { candidates: payloadsOf(card), origin: cardOriginOf(card), resolver, allowed };
    return await verifyEntries(signatures, context, Math.max(1, options?.maxSignatures ?? MAX_CHECKED_SIGNATURES));
  } catch (error) {
    if (error instanceof SignatureProblem) return invalid(error.code, [error.message]);
    return invalid('malformed_card', [`signatures could not be checked: ${messageOf(error)}`]);
  }
}
