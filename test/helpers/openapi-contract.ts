import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

// Checks real responses against the registry's OpenAPI document: each answer's status must be
// documented for its operation, with its content type and a body its schema accepts.

type Json = Record<string, unknown>;

/** One operation of the document, found by the path template a request matched. */
export interface DocumentedOperation {
  method: string;
  template: string;
  operationId: string;
  operation: Json;
}

/** A response as a test saw it. */
export interface SeenResponse {
  status: number;
  contentType: string | null;
  /** The body's text. */
  text: string;
}

const escapePointer = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

/** The paths of `document` as patterns: literal templates first, so `/agents/search` wins over `/agents/{id}`. */
function pathPatterns(document: Json) {
  return Object.keys(document.paths as Json)
    .map((template) => ({
      template,
      params: (template.match(/\{/g) ?? []).length,
      pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(\w+)\\?\}/g, (_m, name: string) => (name === 'uri' ? '(.+)' : '([^/]+)'))}$`),
    }))
    .sort((a, b) => a.params - b.params);
}

export class OpenApiContract {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly patterns: ReturnType<typeof pathPatterns>;
  /** The statuses seen, by operation id. */
  readonly seen = new Map<string, Set<number>>();

  constructor(readonly document: Json) {
    (addFormats as unknown as (ajv: Ajv2020) => void)(this.ajv);
    this.ajv.addSchema(document, 'openapi');
    this.patterns = pathPatterns(document);
  }

  /** The operation a request names, or an error when the document has none. */
  operationOf(method: string, path: string): DocumentedOperation {
    const pathname = new URL(path, 'http://registry').pathname;
    for (const { template, pattern } of this.patterns) {
      if (!pattern.test(pathname)) continue;
      const operation = ((this.document.paths as Json)[template] as Json)[method.toLowerCase()] as Json | undefined;
      if (operation) return { method: method.toLowerCase(), template, operationId: operation.operationId as string, operation };
    }
    throw new Error(`${method} ${pathname} is not in the document`);
  }

  /** Problems of a body the registry accepted, against the request body its operation documents: none when it conforms. */
  requestProblemsOf(method: string, path: string, body: unknown): string[] {
    const op = this.operationOf(method, path);
    if (!op.operation.requestBody) return [`${method} ${path} (${op.operationId}) took a body the document does not describe`];
    const validate = this.validatorAt(`openapi#/paths/${escapePointer(op.template)}/${op.method}/requestBody/content/application~1json/schema`);
    if (validate(body)) return [];
    return [`${method} ${path} (${op.operationId}) accepted a body its documented schema refuses: ${this.ajv.errorsText(validate.errors)}`];
  }

  private validatorAt(pointer: string): ValidateFunction {
    let validate = this.validators.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: pointer });
      this.validators.set(pointer, validate);
    }
    return validate;
  }

  /** Problems of one response against its operation's documented ones: none when it conforms. */
  problemsOf(method: string, path: string, response: SeenResponse): string[] {
    const op = this.operationOf(method, path);
    const statuses = this.seen.get(op.operationId) ?? new Set<number>();
    statuses.add(response.status);
    this.seen.set(op.operationId, statuses);
    const documented = (op.operation.responses as Json)[String(response.status)] as Json | undefined;
    const where = `${method} ${path} (${op.operationId}) answered ${response.status}`;
    if (!documented) return [`${where}, which the document does not list`];
    const content = documented.content as Record<string, Json> | undefined;
    if (!content) return response.text === '' ? [] : [`${where} with a body, where the document says none`];
    const mediaType = Object.keys(content).find((type) => response.contentType?.split(';')[0]?.trim() === type);
    if (!mediaType) return [`${where} as ${response.contentType}, where the document says ${Object.keys(content).join(', ')}`];
    const pointer = `openapi#/paths/${escapePointer(op.template)}/${op.method}/responses/${response.status}/content/${escapePointer(mediaType)}/schema`;
    const validate = this.validatorAt(pointer);
    const body = mediaType === 'application/json' || mediaType.endsWith('+json') ? JSON.parse(response.text) : response.text;
    if (validate(body)) return [];
    return [`${where} with a body its schema refuses: ${this.ajv.errorsText(validate.errors)}; body ${response.text.slice(0, 500)}`];
  }
}
