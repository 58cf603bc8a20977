import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import {
  CHART_DIR,
  ROOT,
  chartCiValuesFiles,
  configEnvNames,
  containerOf,
  findObject,
  k8sDocuments,
  mergeValues,
  must,
  podSpecOf,
  readText,
  readYaml,
} from './deploy-files.js';

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions by stage: comments dropped, continuation lines joined. */
function dockerfileStages(text: string): { args: Record<string, string>; stages: Instruction[][] } {
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const args: Record<string, string> = {};
  const stages: Instruction[][] = [];
  for (const line of lines) {
    const [, keyword = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args: rest };
    if (instruction.keyword === 'FROM') stages.push([instruction]);
    else if (stages.length === 0 && instruction.keyword === 'ARG') {
      const [name = '', value = ''] = rest.split('=');
      args[name] = value;
    } else stages.at(-1)?.push(instruction);
  }
  return { args, stages };
}

const dockerfile = dockerfileStages(readText(ROOT, 'Dockerfile'));
const buildStage = must(dockerfile.stages[0], 'build stage');
const runtimeStage = must(dockerfile.stages.at(-1), 'runtime stage');
const runs = (stage: Instruction[]) => stage.filter((i) => i.keyword === 'RUN').map((i) => i.args);
const baseImage = (stage: Instruction[]) =>
  must(stage[0], 'FROM').args.split(/\s+/)[0]?.replace(/^\$\{(\w+)\}$|^\$(\w+)$/, (_, a?: string, b?: string) => dockerfile.args[(a ?? b) as string] ?? '');

const k8s = k8sDocuments().map((d) => d.object);
const k8sEnv = must(findObject<IConfigMap>(k8s, 'ConfigMap', 'a2a-registry').data, 'ConfigMap data');
const k8sApi = findObject<IDeployment>(k8s, 'Deployment', 'a2a-registry-api');
const k8sWorker = findObject<IDeployment>(k8s, 'Deployment', 'a2a-registry-worker');

describe('Dockerfile', () => {
  it('has a build stage and a runtime stage, both on Node 20', () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(2);
    expect(must(buildStage[0], 'FROM').args).toMatch(/\sAS\s+build$/i);
    expect(must(runtimeStage[0], 'FROM').args).toMatch(/\sAS\s+runtime$/i);
    for (const stage of [buildStage, runtimeStage]) expect(baseImage(stage)).toMatch(/^node:20[.-].*slim$/);
  });

  it('builds with the dev dependencies: npm ci, then npm run build', () => {
    const commands = runs(buildStage);
    const ci = commands.findIndex((c) => /\bnpm ci\b/.test(c) && !c.includes('--omit=dev'));
    const build = commands.findIndex((c) => /\bnpm run build\b/.test(c));
    expect(ci).toBeGreaterThanOrEqual(0);
    expect(build).toBeGreaterThan(ci);
  });

  it('copies into the build only files that exist', () => {
    const sources = buildStage
      .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(sources).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'src']));
    for (const source of sources) expect(existsSync(join(ROOT, source)), source).toBe(true);
  });

  it('installs only production dependencies in the runtime stage and does not build there', () => {
    const commands = runs(runtimeStage);
    expect(commands.some((c) => /\bnpm ci\b.*--omit=dev/.test(c))).toBe(true);
    expect(commands.filter((c) => /\bnpm (ci|install|i)\b/.test(c) && !c.includes('--omit=dev'))).toEqual([]);
    expect(commands.filter((c) => /npm run build|\btsc\b/.test(c))).toEqual([]);
    const copies = runtimeStage.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    expect(copies).toContain('--from=build /app/dist ./dist');
    expect(copies.some((c) => /^package\.json\b/.test(c))).toBe(true);
  });

  it('runs as a non-root numeric user, the one the pods run as', () => {
    const users = runtimeStage.filter((i) => i.keyword === 'USER').map((i) => i.args);
    const user = must(users.at(-1), 'USER in the runtime stage');
    const [uid] = user.split(':');
    expect(uid).toMatch(/^\d+$/);
    expect(Number(uid)).toBeGreaterThan(0);
    for (const deployment of [k8sApi, k8sWorker]) expect(podSpecOf(deployment).securityContext?.runAsUser).toBe(Number(uid));
    // USER comes before CMD, so the process itself runs unprivileged.
    const keywords = runtimeStage.map((i) => i.keyword);
    expect(keywords.lastIndexOf('USER')).toBeLessThan(keywords.lastIndexOf('CMD'));
  });

  it('exposes PORT and METRICS_PORT and starts node on dist/main.js in exec form, with no shell in between', () => {
    const exposed = runtimeStage.filter((i) => i.keyword === 'EXPOSE').flatMap((i) => i.args.split(/\s+/));
    expect(exposed).toEqual([k8sEnv.PORT, k8sEnv.METRICS_PORT]);
    const cmds = runtimeStage.filter((i) => i.keyword === 'CMD');
    expect(cmds).toHaveLength(1);
    expect(JSON.parse(must(cmds[0], 'CMD').args)).toEqual(['node', 'dist/main.js']);
    expect(runtimeStage.filter((i) => i.keyword === 'ENTRYPOINT')).toEqual([]);
    const pkg = JSON.parse(readText(ROOT, 'package.json')) as { main: string; scripts: Record<string, string> };
    expect(pkg.main).toBe('dist/main.js');
    expect(pkg.scripts.build).toBeDefined();
  });

  it('has a .dockerignore that keeps local builds, modules and secrets out of the context', () => {
    const ignored = readText(ROOT, '.dockerignore').split(/\r?\n/).map((line) => line.trim());
    for (const entry of ['node_modules', 'dist', '.git']) expect(ignored).toContain(entry);
  });
});

describe('the Node.js versions the project declares', () => {
  const pkg = JSON.parse(readText(ROOT, 'package.json')) as { engines: { node: string } };
  const lock = JSON.parse(readText(ROOT, 'package-lock.json')) as {
    packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
  };
  const declared = pkg.engines.node;

  it('package.json and its lock file declare the same range, a valid one', () => {
    expect(semver.validRange(declared)).not.toBeNull();
    expect((lock.packages[''] as { engines?: { node?: string } }).engines?.node).toBe(declared);
  });

  it('every version in the range is one every locked dependency accepts (no EBADENGINE from npm ci)', () => {
    const refusing = Object.entries(lock.packages).flatMap(([path, entry]) => {
      const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      return path !== '' && range && !semver.subset(declared, range) ? [`${path}@${entry.version}: ${range}`] : [];
    });
    expect(refusing).toEqual([]);
  });

  it('the image runs a Node.js the range admits, and so does the Node.js running these tests', () => {
    const major = /^node:(\d+)[.-]/.exec(baseImage(runtimeStage) ?? '')?.[1];
    expect(major).toBeDefined();
    // The image tag names a major line, whose newest release is what a build pulls.
    expect(semver.intersects(`${major}.x`, declared)).toBe(true);
    expect(semver.satisfies(`${major}.99.0`, declared)).toBe(true);
    expect(semver.satisfies(process.version, declared)).toBe(true);
  });
});

describe('environment variables of the deployment', () => {
  const known = new Set(configEnvNames());
  /** What the chart sets itself, from containerPort, metrics.port, the component, redis (one server, Sentinel or Cluster) and auth. */
  const CHART_SET = ['PORT', 'METRICS_PORT', 'ROLE', 'API_KEYS', 'REDIS_URL', 'REDIS_PASSWORD', 'REDIS_USERNAME', 'REDIS_TLS', 'REDIS_SENTINELS', 'REDIS_SENTINEL_MASTER', 'REDIS_SENTINEL_PASSWORD', 'REDIS_CLUSTER_NODES'];
  const REDIS_URL = 'redis://redis.registry.svc:6379/0';
  const API_KEYS = `ops:admin:${'0123456789abcdef'.repeat(4)}`;

  it('are read from the env schema of src/config/config.ts', () => {
    expect([...known]).toEqual(expect.arrayContaining(['PORT', 'ROLE', 'REDIS_URL', 'SHUTDOWN_TIMEOUT_MS', 'METRICS_PORT']));
  });

  it('in k8s/ (ConfigMap and Deployment env) are all known to the config', () => {
    const names = [
      ...Object.keys(k8sEnv),
      ...[k8sApi, k8sWorker].flatMap((d) => (containerOf(d).env ?? []).map((e) => e.name)),
    ];
    expect(names.filter((name) => !known.has(name))).toEqual([]);
  });

  it('in the chart (values config, ConfigMap template, pod env) are all known to the config', () => {
    const values = readYaml<{ config: Record<string, string> }>(CHART_DIR, 'values.yaml');
    const configMap = readText(CHART_DIR, 'templates', 'configmap.yaml');
    const helpers = readText(CHART_DIR, 'templates', '_helpers.tpl');
    const names = [
      ...Object.keys(values.config),
      ...[...configMap.matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1] as string),
      ...[...helpers.matchAll(/- name: ([A-Z][A-Z0-9_]*)/g)].map((m) => m[1] as string),
    ];
    expect(names.length).toBeGreaterThan(15);
    expect(names.filter((name) => !known.has(name))).toEqual([]);
    // What the chart sets itself cannot also come from values.config.
    for (const name of CHART_SET) expect(values.config).not.toHaveProperty(name);
  });

  it('of the config can all be set through the chart: under config:, or by the chart itself', () => {
    const values = readYaml<{ config: Record<string, string> }>(CHART_DIR, 'values.yaml');
    const settable = new Set([...Object.keys(values.config), ...CHART_SET]);
    expect([...known].filter((name) => !settable.has(name))).toEqual([]);
  });

  const load = (env: Record<string, string | undefined>) => {
    try {
      return loadConfig(env);
    } catch (error) {
      if (error instanceof ConfigError) throw new Error(error.message);
      throw error;
    }
  };

  it.each(['api', 'worker'] as const)('of k8s/ load as a valid configuration for ROLE=%s', (role) => {
    const config = load({ ...k8sEnv, ROLE: role, REDIS_URL, API_KEYS });
    expect(config).toMatchObject({ role, port: 8000, metricsPort: 9464, redis: { mode: 'single', url: REDIS_URL }, shutdownTimeoutMs: Number(k8sEnv.SHUTDOWN_TIMEOUT_MS) });
  });

  it.each(['values.yaml', ...chartCiValuesFiles().map((f) => `ci/${f}`)])('of the chart with %s load as a valid configuration', (file) => {
    const defaults = readYaml<Record<string, unknown>>(CHART_DIR, 'values.yaml');
    const values = (file === 'values.yaml' ? defaults : mergeValues(defaults, readYaml(CHART_DIR, file))) as {
      containerPort: number;
      metrics: { port: number };
      config: Record<string, string>;
    };
    const env = {
      PORT: String(values.containerPort),
      METRICS_PORT: String(values.metrics.port),
      ...Object.fromEntries(Object.entries(values.config).filter(([, value]) => value !== '')),
      REDIS_URL,
      ...(values.config.AUTH_MODE === 'apikey' ? { API_KEYS } : {}),
    };
    for (const role of ['api', 'worker']) expect(load({ ...env, ROLE: role }).role).toBe(role);
  });
});
