import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

// Validators of the AI Catalog schema and of the ARD API's response schemas, from the published
// files, unchanged: the OpenAPI document's references to the catalog schema resolve to it by its $id.

const SPECS = new URL('../fixtures/ard/', import.meta.url);
const catalogSchema = JSON.parse(readFileSync(new URL('ai-catalog.schema.json', SPECS), 'utf8')) as { $id: string };
const openApi = parse(readFileSync(new URL('ard.openapi.yaml', SPECS), 'utf8')) as { components: { schemas: Record<string, unknown> } };

const ajv = new Ajv2020({ strict: false, allErrors: true });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
ajv.addSchema(catalogSchema);

/** The OpenAPI components as one JSON Schema whose definitions refer to each other and to the catalog schema. */
const ARD_ID = 'https://ard.test/openapi-components.json';
const rewrite = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(rewrite);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => {
      if (key !== '$ref' || typeof v !== 'string') return [key, rewrite(v)];
      if (v.startsWith('./ai-catalog.schema.json')) return [key, v.replace('./ai-catalog.schema.json', catalogSchema.$id)];
      return [key, v.replace('#/components/schemas/', '#/$defs/')];
    }),
  );
};
ajv.addSchema({ $id: ARD_ID, $defs: rewrite(openApi.components.schemas) });

const validators = new Map<string, ValidateFunction>();
function validatorOf(ref: string): ValidateFunction {
  let validate = validators.get(ref);
  if (!validate) {
    validate = ajv.getSchema(ref);
    if (!validate) throw new Error(`No schema ${ref}`);
    validators.set(ref, validate);
  }
  return validate;
}

function errorsOf(validate: ValidateFunction, value: unknown): string[] {
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

/**
 * What is wrong with a served AI Catalog document by the catalog schema (none: an empty list). A
 * signed document is checked without its `signature`: the AI Catalog specification defines that
 * top-level member, which the schema (closed at the top level) does not list yet.
 */
export function catalogProblems(document: unknown): string[] {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return errorsOf(validatorOf(catalogSchema.$id), document);
  const { signature: _signature, ...unsigned } = document as Record<string, unknown>;
  return errorsOf(validatorOf(catalogSchema.$id), unsigned);
}

/** What is wrong with a catalog entry by the catalog schema's `catalogEntry`. */
export function entryProblems(entry: unknown): string[] {
  return errorsOf(validatorOf(`${catalogSchema.$id}#/$defs/catalogEntry`), entry);
}

/** What is wrong with an ARD API body by the named schema of ard.openapi.yaml (`SearchResponse`, `Error`, ...). */
export function ardProblems(schemaName: string, body: unknown): string[] {
  return errorsOf(validatorOf(`${ARD_ID}#/$defs/${schemaName}`), body);
}
