/** Reading the deployment files (k8s/, the Helm chart, the Dockerfile) for the deployment tests. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from './kubernetes-schema.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const K8S_DIR = join(ROOT, 'k8s');
export const CHART_DIR = join(ROOT, 'helm', 'a2a-registry');

export function readText(...path: string[]): string {
  return readFileSync(join(...path), 'utf8');
}

/** The value, or a failure naming what was missing. */
export function must<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`missing: ${what}`);
  return value;
}

/**
 * Every non-empty document of a YAML text, parsed as YAML 1.1 like Kubernetes' own decoder
 * (so `yes`/`on` would be booleans here as they are there). Syntax errors throw.
 */
export function parseYamlDocuments(text: string, source: string): unknown[] {
  return parseAllDocuments(text, { version: '1.1', prettyErrors: true, uniqueKeys: true })
    .map((doc, index) => {
      if (doc.errors.length > 0) throw new Error(`${source} document ${index}: ${doc.errors.map((e) => e.message).join('; ')}`);
      return doc.toJS() as unknown;
    })
    .filter((doc) => doc !== null && doc !== undefined);
}

/** A parsed YAML file holding exactly one document. */
export function readYaml<T = unknown>(...path: string[]): T {
  const docs = parseYamlDocuments(readText(...path), join(...path));
  if (docs.length !== 1) throw new Error(`${join(...path)}: expected one YAML document, found ${docs.length}`);
  return docs[0] as T;
}

/** The manifest files of the kustomize base: k8s/*.yaml except kustomization.yaml (subfolders are not part of it). */
export function k8sManifestFiles(): string[] {
  return readdirSync(K8S_DIR, { withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name) && entry.name !== 'kustomization.yaml')
    .map((entry) => entry.name)
    .sort();
}

export interface ManifestDocument {
  file: string;
  index: number;
  object: KubeObject;
}

/** Every object of every k8s/*.yaml manifest, with the file it came from. */
export function k8sDocuments(): ManifestDocument[] {
  return k8sManifestFiles().flatMap((file) =>
    parseYamlDocuments(readText(K8S_DIR, file), file).map((object, index) => ({ file, index, object: object as KubeObject })),
  );
}

/** The one object of this kind and name; fails when there is none. */
export function findObject<T = KubeObject>(objects: readonly KubeObject[], kind: string, name: string): T {
  const found = objects.filter((o) => o.kind === kind && o.metadata?.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind} named ${name}, found ${found.length}`);
  return found[0] as T;
}

export function podSpecOf(deployment: IDeployment): IPodSpec {
  return must(deployment.spec?.template.spec, `pod spec of Deployment ${deployment.metadata?.name}`);
}

export function containerOf(deployment: IDeployment): IContainer {
  const containers = podSpecOf(deployment).containers;
  if (containers.length !== 1) throw new Error(`Deployment ${deployment.metadata?.name}: expected one container`);
  return containers[0] as IContainer;
}

/** Whether every label a selector requires is on the object. */
export function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  const required = Object.entries(selector ?? {});
  return required.length > 0 && required.every(([key, value]) => labels?.[key] === value);
}

/** Names of the environment variables src/config/config.ts reads (the keys of its env schema). */
export function configEnvNames(): string[] {
  const source = readText(ROOT, 'src', 'config', 'config.ts');
  const start = source.indexOf('const envSchema = z');
  if (start < 0) throw new Error('src/config/config.ts: envSchema not found');
  const body = source.slice(start, source.indexOf('\n})', start));
  return [...body.matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1] as string);
}

/** Helm's merge of a values file over the chart's values: maps merge, anything else replaces, null removes. */
export function mergeValues(base: unknown, override: unknown): unknown {
  if (!isMap(base) || !isMap(override)) return override === undefined ? base : override;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === null) delete merged[key];
    else merged[key] = mergeValues(base[key], value);
  }
  return merged;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The chart's ci/*-values.yaml files. */
export function chartCiValuesFiles(): string[] {
  const dir = join(CHART_DIR, 'ci');
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('-values.yaml')).sort() : [];
}

const BINARY_SUFFIXES: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const DECIMAL_SUFFIXES: Record<string, number> = { m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** A Kubernetes quantity (`250m`, `1`, `512Mi`) as a number. */
export function quantity(value: string | number): number {
  if (typeof value === 'number') return value;
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|m|k|M|G|T)?$/.exec(value);
  if (!match) throw new Error(`not a quantity this test understands: ${value}`);
  const suffix = match[2] ?? '';
  return Number(match[1]) * (BINARY_SUFFIXES[suffix] ?? DECIMAL_SUFFIXES[suffix] ?? Number.NaN);
}
