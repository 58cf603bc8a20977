import { isDeepStrictEqual } from 'node:util';
import type { CardDrift } from '../store/probe-outcome.js';

/** Most field names a drift lists in all: what a record keeps of it stays a few hundred bytes. */
export const MAX_DRIFT_ENTRIES = 20;

/** Longest field name a drift keeps (a skill id may be long): cut to this. */
const MAX_FIELD_NAME = 80;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Skills by id (a skill without a usable id by its place), so that reordering is not a change. */
function skillsOf(card: Json): Map<string, unknown> {
  const skills = Array.isArray(card.skills) ? card.skills : [];
  return new Map(skills.map((skill, index) => [isObject(skill) && typeof skill.id === 'string' ? skill.id : `#${index}`, skill]));
}

/**
 * How the card an origin serves differs from the stored one: top-level fields (skills apart) and
 * skills by id, each added, removed or changed, at most {@link MAX_DRIFT_ENTRIES} names in all.
 * Null when they agree. `signatures` counts like any other field: a re-signed card has drifted too.
 */
export function cardDriftOf(stored: unknown, served: unknown): CardDrift | null {
  const before = isObject(stored) ? stored : {};
  const after = isObject(served) ? served : {};
  const drift: CardDrift = { added: [], removed: [], changed: [], truncated: false };
  let room = MAX_DRIFT_ENTRIES;
  const note = (list: string[], name: string) => {
    if (room === 0) drift.truncated = true;
    else {
      list.push(name.slice(0, MAX_FIELD_NAME));
      room--;
    }
  };
  const compare = (a: ReadonlyMap<string, unknown>, b: ReadonlyMap<string, unknown>, name: (key: string) => string) => {
    for (const [key, value] of b) {
      if (!a.has(key)) note(drift.added, name(key));
      else if (!isDeepStrictEqual(a.get(key), value)) note(drift.changed, name(key));
    }
    for (const key of a.keys()) if (!b.has(key)) note(drift.removed, name(key));
  };
  const fields = (card: Json) => new Map(Object.entries(card).filter(([key]) => key !== 'skills'));
  compare(fields(before), fields(after), (key) => key);
  compare(skillsOf(before), skillsOf(after), (id) => `skills[${id}]`);
  return drift.added.length + drift.removed.length + drift.changed.length === 0 ? null : drift;
}
