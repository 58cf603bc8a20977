/**
 * The Helm binaries the chart tests run: HELM_BIN (Helm 4 in CI), HELM3_BIN (Helm 3 in CI) and
 * `helm` on PATH, each kept when it answers `helm version`. `.ci/run` provides both majors.
 */
import { spawnSync } from 'node:child_process';
import { CHART_DIR, parseYamlDocuments } from './deploy-files.js';
import type { KubeObject } from './kubernetes-schema.js';

export interface HelmBinary {
  path: string;
  /** `v4.1.4+g05fa379` */
  version: string;
  major: number;
}

function probe(path: string | undefined): HelmBinary | undefined {
  if (!path) return undefined;
  const run = spawnSync(path, ['version', '--short'], { encoding: 'utf8', timeout: 10_000 });
  const version = run.status === 0 ? run.stdout.trim() : '';
  const major = /^v(\d+)\./.exec(version)?.[1];
  return major ? { path, version, major: Number(major) } : undefined;
}

const found = [process.env.HELM_BIN, process.env.HELM3_BIN, 'helm']
  .map(probe)
  .filter((binary): binary is HelmBinary => binary !== undefined);

/** Every distinct Helm found, the newest major first. */
export const HELMS: HelmBinary[] = [...new Map(found.map((b) => [b.version, b])).values()].sort((a, b) => b.major - a.major);
/** The Helm the chart tests render with: the newest found. */
export const HELM: HelmBinary | undefined = HELMS[0];
export const HELM3 = HELMS.find((b) => b.major === 3);
export const HELM4 = HELMS.find((b) => b.major === 4);

/** Why the tests that need Helm skip, named in their titles. */
export const NO_HELM =
  'no helm: set HELM_BIN (and HELM3_BIN for Helm 3) or put helm on PATH; .ci/run takes both from npm packages';

/** The release the tests render: `rel` in namespace `registry`. */
export const RELEASE = { name: 'rel', namespace: 'registry', fullname: 'rel-a2a-registry' } as const;

export interface RenderResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface RenderOptions {
  helm?: HelmBinary;
  chartDir?: string;
  /** The release name; `rel` when not given. */
  release?: string;
}

/** `helm template rel <chart> --namespace registry ...args`. */
export function helmTemplate(args: string[], options: RenderOptions = {}): RenderResult {
  const binary = options.helm ?? HELM;
  if (!binary) throw new Error(NO_HELM);
  const run = spawnSync(binary.path, ['template', options.release ?? RELEASE.name, options.chartDir ?? CHART_DIR, '--namespace', RELEASE.namespace, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The objects `helm template` renders; a failed render throws with Helm's message. */
export function renderObjects(args: string[], options: RenderOptions = {}): KubeObject[] {
  const result = helmTemplate(args, options);
  if (result.status !== 0) throw new Error(`helm template ${args.join(' ')} failed:\n${result.stderr}`);
  return parseYamlDocuments(result.stdout, 'helm template') as KubeObject[];
}

/** A valid `auth.apiKeys` entry for renders that need one. */
export const API_KEYS_SET = ['--set', `auth.apiKeys=ops:admin:${'a'.repeat(64)}`];
/** The least a render needs: a Redis URL and API keys. */
export const MINIMAL_SET = ['--set', 'redis.url=redis://redis.registry.svc:6379/0', ...API_KEYS_SET];
