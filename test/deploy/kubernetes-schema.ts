/**
 * Validation of Kubernetes objects against their schemas, for the deployment tests.
 *
 * Two layers: the kubernetes-models class of the object's apiVersion/kind checks types, required
 * fields and formats (`.validate()`), but accepts fields the API does not know; so every field of
 * the object is also looked up in the TypeScript declarations of the same class (read with the
 * TypeScript checker from `manifest-types.ts`), where a misspelt or misplaced key is not found.
 */
import { fileURLToPath } from 'node:url';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Pod } from 'kubernetes-models/v1/Pod';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import ts from 'typescript';
import type { ManifestTypes } from './manifest-types.js';

type ManifestKey = keyof ManifestTypes;

/** A kubernetes-models class: built from an object's data, it validates that data. */
type ModelClass = new (data: never) => { validate(): void };

const MODELS: Record<ManifestKey, ModelClass> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/Pod': Pod,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/Deployment': Deployment,
  'networking.k8s.io/v1/Ingress': Ingress,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule,
};

/** The `apiVersion/kind` keys this module can validate. */
export const KNOWN_KINDS = Object.keys(MODELS) as ManifestKey[];

/** A Kubernetes object as parsed from YAML. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

let checked: { checker: ts.TypeChecker; types: ts.Type } | undefined;

/** The TypeScript checker over manifest-types.ts, built once (about a second). */
function manifestTypes(): { checker: ts.TypeChecker; types: ts.Type } {
  if (checked) return checked;
  const root = fileURLToPath(new URL('./manifest-types.ts', import.meta.url));
  const program = ts.createProgram([root], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2022.d.ts'],
    types: [],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
  });
  const source = program.getSourceFile(root);
  // An unresolved import would turn a type into `any` and let every field through: refuse that.
  const diagnostics = source ? ts.getPreEmitDiagnostics(program, source) : [];
  if (!source || diagnostics.length > 0) {
    const text = diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('; ');
    throw new Error(`cannot read the Kubernetes types from ${root}: ${text || 'file not found'}`);
  }
  const checker = program.getTypeChecker();
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  const declaration = moduleSymbol && checker.getExportsOfModule(moduleSymbol).find((s) => s.name === 'ManifestTypes');
  if (!declaration) throw new Error(`ManifestTypes not found in ${root}`);
  const types = checker.getDeclaredTypeOfSymbol(declaration);
  for (const kind of KNOWN_KINDS) {
    const declared = fieldType(checker, types, kind);
    if (!declared || !checker.getPropertyOfType(checker.getNonNullableType(declared), 'metadata')) {
      throw new Error(`ManifestTypes['${kind}'] does not resolve to a Kubernetes object type`);
    }
  }
  checked = { checker, types };
  return checked;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Adds to `problems` every key of `value` that its declared type (or any branch of a union) lacks. */
function findUnknownFields(checker: ts.TypeChecker, value: unknown, declared: ts.Type, path: string, problems: string[]): void {
  if (typeof value !== 'object' || value === null) return;
  const type = checker.getNonNullableType(declared);
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return;
  const branches = type.isUnion() ? type.types : [type];
  if (Array.isArray(value)) {
    const array = branches.find((branch) => checker.isArrayType(branch));
    if (!array) return; // a type mismatch: kubernetes-models reports it
    const [element] = checker.getTypeArguments(array as ts.TypeReference);
    if (element) value.forEach((item, i) => findUnknownFields(checker, item, element, `${path}/${i}`, problems));
    return;
  }
  const objects = branches.filter(
    (branch) => (branch.flags & ts.TypeFlags.Object || branch.isIntersection()) && !checker.isArrayType(branch),
  );
  if (objects.length === 0) return; // a type mismatch: kubernetes-models reports it
  const record = value as Record<string, unknown>;
  // Of several object branches, the first that declares every key is the one the value follows.
  const target = objects.find((branch) => Object.keys(record).every((key) => fieldType(checker, branch, key))) ?? objects[0];
  if (!target) return;
  const open = checker.getPropertiesOfType(target).length === 0 && !checker.getIndexInfoOfType(target, ts.IndexKind.String);
  if (open) return; // `{}`/`object`: free-form by declaration
  for (const [key, child] of Object.entries(record)) {
    const childType = fieldType(checker, target, key);
    if (!childType) {
      problems.push(`${path}/${key}: unknown field "${key}"`);
      continue;
    }
    findUnknownFields(checker, child, childType, `${path}/${key}`, problems);
  }
}

/** The declared type of `key` in `type`: a property, else the string index signature's type. */
function fieldType(checker: ts.TypeChecker, type: ts.Type, key: string): ts.Type | undefined {
  const property = checker.getPropertyOfType(type, key);
  if (property) return checker.getTypeOfSymbol(property);
  return checker.getIndexInfoOfType(type, ts.IndexKind.String)?.type;
}

/**
 * Every problem of one object: unknown apiVersion/kind, kubernetes-models validation errors, and
 * fields that its Kubernetes type does not declare. Empty when the object is valid.
 */
export function validateKubeObject(object: unknown): string[] {
  if (!isPlainObject(object)) return ['not an object'];
  const key = `${String(object.apiVersion)}/${String(object.kind)}`;
  const Model = MODELS[key as ManifestKey];
  if (!Model) return [`no schema for apiVersion/kind ${key}`];
  const problems: string[] = [];
  try {
    new Model(structuredClone(object) as never).validate();
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
  }
  const { checker, types } = manifestTypes();
  const declared = fieldType(checker, types, key);
  if (!declared) return [...problems, `ManifestTypes lacks ${key}`];
  findUnknownFields(checker, object, declared, '', problems);
  return problems;
}
