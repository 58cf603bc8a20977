import type { z } from 'zod';
import { ValidationError, type FieldViolation } from './errors.js';

// How every door reports what zod found wrong with a request: one violation per issue, at a JSON path.

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Renders a zod issue path as a JSON path: `$.skills[0].id`. */
export function jsonPath(path: readonly PropertyKey[], root = '$'): string {
  return path.reduce<string>((acc, key) => {
    if (typeof key === 'number') return `${acc}[${key}]`;
    const name = String(key);
    return IDENTIFIER.test(name) ? `${acc}.${name}` : `${acc}[${JSON.stringify(name)}]`;
  }, root);
}

/** Parse options that say `is required` for a missing field instead of zod's type message. */
export const PARSE_OPTIONS = {
  error: (issue: { input?: unknown; code?: string }) =>
    issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined,
};

/** Every violation of a failed parse, not just the first. */
export function violationsOf(error: z.ZodError, root = '$'): FieldViolation[] {
  return error.issues.map((issue) => ({ path: jsonPath(issue.path, root), message: issue.message }));
}

/** A request read against its schema; a failed read lists every violation, at paths under `root`. */
export function parseRequest<S extends z.ZodType>(schema: S, input: unknown, root = '$', message = 'Invalid request'): z.infer<S> {
  const parsed = schema.safeParse(input, PARSE_OPTIONS);
  if (!parsed.success) throw new ValidationError(message, violationsOf(parsed.error, root));
  return parsed.data;
}
