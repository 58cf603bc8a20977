/**
 * The bytes an agent card signature covers (A2A specification section 8.4.1): the card without
 * `signatures`, with default values stripped by the protocol buffer field-presence rules, then
 * canonicalised with the JSON Canonicalization Scheme (JCS, RFC 8785) and encoded as UTF-8.
 *
 * ## Stripping rule implemented here
 *
 * Every field of a card the A2A proto (`a2a.proto`, package `lf.a2a.v1`) defines is classified:
 *
 * - **Required** (`field_behavior = REQUIRED`): always kept as received, even when empty (`""`,
 *   `[]`). For 1.0 cards: `name`, `description`, `supportedInterfaces` (and each entry's `url`,
 *   `protocolBinding`, `protocolVersion`), `version`, `capabilities`, `defaultInputModes`,
 *   `defaultOutputModes`, `skills` (and each skill's `id`, `name`, `description`, `tags`),
 *   `provider.url`/`provider.organization`, and the required members of security schemes.
 * - **Explicit presence** (proto3 `optional`, and the members of a `oneof`): kept whenever present,
 *   even when the value equals the default. These are `capabilities.streaming`,
 *   `capabilities.pushNotifications`, `capabilities.extendedAgentCard`, `capabilities.skillQuery`,
 *   `documentationUrl`, `iconUrl`, and the security scheme / OAuth flow wrappers. So
 *   `"streaming": false` is **kept**: that is the spec's own worked example, and what the
 *   reference SDK (`MessageToDict`) signs.
 * - **Implicit presence** (everything else): dropped when absent, `null`, or equal to the default,
 *   meaning `false`, `""`, `0`, `[]`, or an empty object. Examples: `extensions[].required: false`,
 *   `extensions[].description: ""`, `supportedInterfaces[].tenant: ""`, `skills[].examples: []`,
 *   `securityRequirements: []`, `capabilities.extensions: []`, `provider: {}`, and
 *   `extensions[].params: {}`.
 *
 * Entries of a repeated field or of a map are data, not fields, so they are never dropped (a
 * `{}` scope list in `securitySchemes`, for example, is kept). Free-form values (`params`, the
 * value of a `google.protobuf.Struct`) are kept verbatim inside. Fields the proto does not define
 * (unknown or vendor fields) are kept verbatim, so nothing can be added to a signed card without
 * breaking its signature. `null` for a non-required field means "unset" (as in proto3 JSON) and
 * is dropped. Cards without `supportedInterfaces` are treated as 0.3 cards, using the same rule
 * over the 0.3 field names (`url` and `protocolVersion` required; 0.3 security schemes kept
 * verbatim). The 0.3 spec had no normative stripping rule, so such cards are checked on a
 * best-effort basis.
 *
 * ## Known trap: implementations disagree on empty required fields
 *
 * The spec keeps required fields even when they are empty (`"description": ""` and `"skills": []`
 * both stay). The official SDKs instead run a recursive "clean empty" pass over their proto JSON,
 * so they drop *every* empty string, array and object, including required ones and those inside
 * `params`, and every field their proto does not know. This module follows the spec; the SDKs'
 * forms are computed beside it (`signing-forms.ts`), which also decides when a form that leaves
 * content out may still vouch for a card. The field tables are in `card-fields.ts`. The only place
 * this module matches the SDKs instead of the letter of proto3 is that empty message objects of
 * non-required fields (`provider: {}`, `params: {}`) are dropped.
 */

import { CARD_V03, CARD_V1, type FieldRule, type Fields, type Shape } from './card-fields.js';

/** Thrown when a value has no RFC 8785 canonical form (not I-JSON, or nested too deeply). */
export class CanonicalisationError extends Error {
  override readonly name = 'CanonicalisationError';
}

/** Deepest nesting {@link canonicalJson} accepts; real cards are far shallower. */
export const MAX_CANONICAL_DEPTH = 128;

const OMIT = Symbol('omit');

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether a value equals the proto3 default of its field: `false`, `""`, `0`, `[]` or `{}`. */
function isDefaultValue(value: unknown): boolean {
  if (value === false || value === '' || value === 0) return true;
  if (Array.isArray(value)) return value.length === 0;
  return isPlainObject(value) && Object.keys(value).length === 0;
}

/** What stripping does with fields its table does not define: the specification keeps them, the SDKs' proto drops them. */
export type UnknownFields = 'keep' | 'drop';

/** The value with its nested fields stripped; values of an unexpected JSON type are kept as they are. */
function shapeValue(value: unknown, shape: Shape, unknown: UnknownFields): unknown {
  switch (shape.kind) {
    case 'message':
      return isPlainObject(value) ? stripMessage(value, shape.fields, unknown) : value;
    case 'repeated':
      return Array.isArray(value) ? value.map((item) => shapeValue(item, shape.of, unknown)) : value;
    case 'map':
      return isPlainObject(value) ? mapEntries(value, shape.of, unknown) : value;
    default:
      return value;
  }
}

/** An empty record without a prototype, so that a member named `__proto__` stays an ordinary member. */
function emptyRecord(): Record<string, unknown> {
  return Object.create(null) as Record<string, unknown>;
}

function mapEntries(entries: Record<string, unknown>, of: Shape, unknown: UnknownFields): Record<string, unknown> {
  const result = emptyRecord();
  for (const [key, value] of Object.entries(entries)) result[key] = shapeValue(value, of, unknown);
  return result;
}

/** The stripped value of one field, or {@link OMIT} when the field-presence rules drop it. */
function stripField(value: unknown, rule: FieldRule, unknown: UnknownFields): unknown {
  if (value === undefined) return OMIT;
  if (rule.presence === 'required') return shapeValue(value, rule.shape, unknown);
  if (value === null) return OMIT;
  const shaped = shapeValue(value, rule.shape, unknown);
  if (rule.presence === 'explicit') return shaped;
  return isDefaultValue(shaped) ? OMIT : shaped;
}

function stripMessage(object: Record<string, unknown>, fields: Fields, unknown: UnknownFields): Record<string, unknown> {
  const result = emptyRecord();
  for (const [key, value] of Object.entries(object)) {
    const rule = Object.hasOwn(fields, key) ? fields[key] : undefined;
    const stripped = rule ? stripField(value, rule, unknown) : unknown === 'keep' ? value : OMIT;
    if (stripped !== OMIT) result[key] = stripped;
  }
  return result;
}

/**
 * The card as it is signed: `signatures` removed and default values stripped by the field-presence
 * rule described in this module's documentation. Does not change its argument.
 */
export function signingFormOf(card: Record<string, unknown>): Record<string, unknown> {
  return strippedCard(card, specTableOf(card), 'keep');
}

/** The field table of a card's shape: 1.0 when it has `supportedInterfaces`, 0.3 otherwise. */
export function specTableOf(card: Record<string, unknown>): Shape {
  return 'supportedInterfaces' in card ? CARD_V1 : CARD_V03;
}

/** The card without `signatures`, stripped by the presence rules of `table`. Does not change its argument. */
export function strippedCard(card: Record<string, unknown>, table: Shape, unknown: UnknownFields): Record<string, unknown> {
  const { signatures: _ignored, ...unsigned } = card;
  return shapeValue(unsigned, table, unknown) as Record<string, unknown>;
}

const LONE_SURROGATE = /\p{Cs}/u;

function canonicalString(value: string): string {
  if (LONE_SURROGATE.test(value)) throw new CanonicalisationError('string holds a lone surrogate (not I-JSON)');
  return JSON.stringify(value);
}

function canonicalNumber(value: number): string {
  if (!Number.isFinite(value)) throw new CanonicalisationError(`number ${value} has no JSON form`);
  // ECMAScript Number-to-String is the serialisation RFC 8785 section 3.2.2.3 prescribes; -0 gives "0".
  return JSON.stringify(value);
}

function canonicalObject(value: Record<string, unknown>, depth: number): string {
  const keys = Object.keys(value).sort(); // default sort compares UTF-16 code units, as RFC 8785 requires
  const members: string[] = [];
  for (const key of keys) {
    const member = value[key];
    if (member === undefined) continue;
    members.push(`${canonicalString(key)}:${canonicalValue(member, depth + 1)}`);
  }
  return `{${members.join(',')}}`;
}

function canonicalValue(value: unknown, depth: number): string {
  if (depth > MAX_CANONICAL_DEPTH) throw new CanonicalisationError(`nested deeper than ${MAX_CANONICAL_DEPTH}`);
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return canonicalNumber(value);
  if (typeof value === 'string') return canonicalString(value);
  if (Array.isArray(value)) return `[${value.map((item) => canonicalValue(item, depth + 1)).join(',')}]`;
  if (isPlainObject(value) && isJsonRecord(value)) return canonicalObject(value, depth);
  throw new CanonicalisationError(`a ${typeof value} has no JSON form`);
}

function isJsonRecord(value: object): boolean {
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/**
 * The RFC 8785 (JCS) canonical text of a JSON value: object members sorted by the UTF-16 code units
 * of their names, no insignificant whitespace, ECMAScript number serialisation, and minimal string
 * escaping (only `"`, `\` and control characters, with lowercase `\u00xx`).
 *
 * @throws {CanonicalisationError} when the value is not I-JSON (lone surrogates, non-finite numbers,
 *   non-JSON types) or is nested deeper than {@link MAX_CANONICAL_DEPTH}.
 */
export function canonicalJson(value: unknown): string {
  return canonicalValue(value, 0);
}
