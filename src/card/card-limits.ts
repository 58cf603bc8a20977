/**
 * How much one card may hold of what the registry indexes or repeats. Each indexed value becomes
 * a Redis set membership, so a card's write costs about its terms: without these a single card of
 * tens of thousands of tags blocks Redis, shared by every replica, for tens of milliseconds.
 * A card over any of them is refused with a 400 listing every violation, and nothing is stored.
 */
export const CARD_LIMITS = {
  /** Skills in one card. @defaultValue 100 */
  skills: 100,
  /** Tags of one skill. @defaultValue 32 */
  tagsPerSkill: 32,
  /** Examples of one skill (shown, not indexed, but repeated in every page that shows the card). @defaultValue 32 */
  examplesPerSkill: 32,
  /** Input or output modes in one list (the card's defaults, or one skill's). @defaultValue 32 */
  modes: 32,
  /** Extensions declared in `capabilities`. @defaultValue 32 */
  extensions: 32,
  /** Interfaces (`supportedInterfaces`, `additionalInterfaces`). @defaultValue 16 */
  interfaces: 16,
  /** Security schemes, and entries of a security requirement list. @defaultValue 32 */
  securityEntries: 32,
  /** Signatures over the card. @defaultValue 8 */
  signatures: 8,
  /** Characters of one indexed value: a skill id, a tag, a mode, a binding, an extension URI, a provider. @defaultValue 256 */
  indexedValueLength: 256,
  /** Distinct index terms the whole card yields, its text's words included. @defaultValue 1024 */
  indexTerms: 1024,
} as const;
