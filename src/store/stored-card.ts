import { deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * The first byte of a compressed card: version 1 of the packing below. No JSON text begins with
 * it, so a card stored as plain text (by data layouts before compression) reads as itself.
 */
const PACKED_V1 = 0x01;

/**
 * Text that cards share, given to deflate as its preset dictionary: the field names and common
 * values of A2A cards of versions 0.3 and 1.0, the most frequent last (deflate reaches the end of
 * the dictionary with the shortest distances). A card of a few hundred bytes has little repetition
 * of its own to compress; with these it shrinks to about a third. Changing this text would make
 * every card packed with version 1 unreadable: a new dictionary needs a new version byte.
 */
const DICTIONARY_V1 = Buffer.from(
  [
    '"iconUrl":"https://","documentationUrl":"https://","supportsAuthenticatedExtendedCard":false,',
    '"securitySchemes":{"bearer":{"type":"http","scheme":"bearer","bearerFormat":"JWT"},',
    '"apiKey":{"type":"apiKey","in":"header","name":"X-API-Key"}},"security":[{"bearer":[]}],',
    '"httpAuthSecurityScheme":{"scheme":"Bearer"},"apiKeySecurityScheme":{"location":"header","name":""},',
    '"oauth2SecurityScheme":{"flows":{"clientCredentials":{"tokenUrl":"https://","scopes":{}}}},',
    '"openIdConnectSecurityScheme":{"openIdConnectUrl":"https://"},"securityRequirements":[{"schemes":{}}],',
    '"signatures":[{"protected":"eyJhbGciOiJFUzI1NiIsImtpZCI6Ii","signature":""}],',
    '"preferredTransport":"JSONRPC","additionalInterfaces":[{"url":"https://","transport":"GRPC"}],',
    '"url":"https://","protocolVersion":"0.3.0",',
    '"extensions":[{"uri":"https://","description":"","required":false,"params":{}}],',
    '"extendedAgentCard":false,"stateTransitionHistory":false,',
    '"inputModes":["text/plain","application/json"],"outputModes":["text/plain","application/json"],',
    '"image/png","audio/mpeg","text/markdown","text/html","application/pdf",',
    '{"name":"","description":"","version":"1.0.0",',
    '"supportedInterfaces":[{"url":"https://","protocolBinding":"HTTP+JSON","protocolVersion":"1.0"},',
    '{"url":"https://","protocolBinding":"GRPC","protocolVersion":"1.0"},',
    '{"url":"https://","protocolBinding":"JSONRPC","protocolVersion":"1.0"}],',
    '"provider":{"organization":"","url":"https://"},',
    '"capabilities":{"streaming":true,"pushNotifications":false},',
    '"defaultInputModes":["text/plain","application/json"],"defaultOutputModes":["text/plain","application/json"],',
    '"skills":[{"id":"","name":"","description":"","tags":["",""],"examples":["",""]},',
    '{"id":"","name":"","description":"","tags":["",""],"examples":[""]}]}',
  ].join(''),
);

/**
 * Deflate's window (8 KiB) and state (memLevel 6) of version 1: a card is packed on every write,
 * and most of the cost of packing a card of a few kilobytes is setting up zlib's state, which
 * grows with both. A card packs as small as with the defaults' 32 KiB unless it repeats text
 * more than 8 KiB apart.
 */
const WINDOW_BITS_V1 = 13;
const MEM_LEVEL_V1 = 6;

/** A card as the agent hash keeps it in data layouts that compress cards: its version byte, then raw deflate. */
export function packCard(card: string): Buffer {
  const packed = deflateRawSync(card, { dictionary: DICTIONARY_V1, windowBits: WINDOW_BITS_V1, memLevel: MEM_LEVEL_V1 });
  return Buffer.concat([Buffer.of(PACKED_V1), packed], packed.length + 1);
}

/** The card's text from what the agent hash keeps: packed by {@link packCard}, or plain text. */
export function unpackCard(stored: Buffer): string {
  if (stored[0] !== PACKED_V1) return stored.toString('utf8');
  return inflateRawSync(stored.subarray(1), { dictionary: DICTIONARY_V1, windowBits: WINDOW_BITS_V1 }).toString('utf8');
}

/**
 * {@link packCard} as a string of one byte a character: how a process keeps a packed card in its
 * own memory. A Buffer that small is a slice of Node's shared buffer pool and holds on to all of it.
 */
export function packCardText(card: string): string {
  return packCard(card).toString('latin1');
}

/** The card's text from {@link packCardText}'s. */
export function unpackCardText(packed: string): string {
  return unpackCard(Buffer.from(packed, 'latin1'));
}
