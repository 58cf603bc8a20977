import type { z } from 'zod';

/** Schemas that get a name of their own in the API document (`components/schemas`), by that name. */
const byName = new Map<string, z.ZodType>();

/** `schema`, named `id` so the API document shows it once and refers to it by that name. */
export function named<S extends z.ZodType>(id: string, schema: S): S {
  if (byName.has(id) && byName.get(id) !== schema) throw new Error(`Two schemas are named ${id}`);
  byName.set(id, schema);
  return schema;
}

/** Every named schema, by name. */
export function namedSchemaList(): ReadonlyMap<string, z.ZodType> {
  return byName;
}
