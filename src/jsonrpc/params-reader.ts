import { z } from 'zod';
import { parseRequest } from '../validation.js';
import { snakeCaseKeys } from '../snake-case-keys.js';

export type ParamsReader<S extends z.ZodObject> = (params: Record<string, unknown>) => z.infer<S>;

/**
 * A reader of named params in snake_case or camelCase (`agent_id` or `agentId`, or the earlier
 * registry's `id`) against a strict object schema, which should be made once: zod compiles each
 * object schema on its first use.
 */
export function paramsReader<S extends z.ZodObject>(schema: S): ParamsReader<S> {
  return (params) => {
    const renamed = snakeCaseKeys(params);
    if ('id' in renamed && !('agent_id' in renamed) && 'agent_id' in schema.shape) {
      renamed.agent_id = renamed.id;
      delete renamed.id;
    }
    return parseRequest(schema, renamed, '$.params', 'Invalid params');
  };
}

/** The params of a method that takes none: an empty object, or none at all. */
export const readNoParams = paramsReader(z.strictObject({}));
