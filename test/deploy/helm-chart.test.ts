import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Ajv } from 'ajv';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { describe, expect, it } from 'vitest';
import {
  CHART_DIR,
  ROOT,
  chartCiValuesFiles,
  containerOf,
  findObject,
  k8sDocuments,
  mergeValues,
  must,
  parseYamlDocuments,
  podSpecOf,
  readText,
  readYaml,
  selects,
} from './deploy-files.js';
import { HELMS, NO_HELM } from './helm.js';
import { validateKubeObject, type KubeObject } from './kubernetes-schema.js';

/** The chart's values.yaml, typed as far as these tests read it. */
interface ChartValues {
  image: { repository: string; tag: string };
  containerPort: number;
  config: Record<string, string>;
  api: { replicaCount: number; resources: unknown; podDisruptionBudget: { enabled: boolean; maxUnavailable: number | string } };
  worker: { replicaCount: number; resources: unknown; podDisruptionBudget: { enabled: boolean; maxUnavailable: number | string } };
  probes: Record<'startup' | 'readiness' | 'liveness', Record<string, number>>;
  preStopSleepSeconds: number;
  terminationGracePeriodSeconds: number;
  podSecurityContext: unknown;
  securityContext: unknown;
  topologySpreadConstraints: Record<string, unknown>[];
  service: { port: number };
  metrics: { port: number; serviceMonitor: { enabled: boolean; interval: string; scrapeTimeout: string } };
  autoscaling: {
    enabled: boolean;
    minReplicas: number;
    maxReplicas: number;
    targetCPUUtilizationPercentage: number;
    requestsPerSecond: { enabled: boolean; metricName: string; averageValue: string };
    behavior: unknown;
  };
  dashboards: { enabled: boolean; label: string; labelValue: string };
  [key: string]: unknown;
}

const chart = readYaml<Record<string, unknown>>(CHART_DIR, 'Chart.yaml');
const values = readYaml<ChartValues>(CHART_DIR, 'values.yaml');
const schema = JSON.parse(readText(CHART_DIR, 'values.schema.json')) as Record<string, any>;
const validateValues = new Ajv({ allErrors: true, strict: true }).compile(schema);

const TEMPLATES_DIR = join(CHART_DIR, 'templates');
const templateFiles = (function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(dir, entry.name)) : [relative(TEMPLATES_DIR, join(dir, entry.name))],
  );
})(TEMPLATES_DIR).sort();
const templates = Object.fromEntries(templateFiles.map((file) => [file, readText(TEMPLATES_DIR, file)])) as Record<string, string>;
const template = (file: string) => must(templates[file], `templates/${file}`);
const helpers = template('_helpers.tpl');

const k8s = k8sDocuments().map((d) => d.object);
const k8sApi = findObject<IDeployment>(k8s, 'Deployment', 'a2a-registry-api');
const k8sWorker = findObject<IDeployment>(k8s, 'Deployment', 'a2a-registry-worker');
const k8sConfig = findObject<IConfigMap>(k8s, 'ConfigMap', 'a2a-registry');
const k8sHpa = findObject<IHorizontalPodAutoscaler>(k8s, 'HorizontalPodAutoscaler', 'a2a-registry-api');

const errorsOf = (candidate: unknown) => (validateValues(candidate) ? [] : (validateValues.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));

describe('Chart.yaml', () => {
  it('is a v2 application chart whose appVersion is the package version', () => {
    const pkg = JSON.parse(readText(ROOT, 'package.json')) as { version: string };
    expect(chart.apiVersion).toBe('v2');
    expect(chart.name).toBe('a2a-registry');
    expect(chart.type).toBe('application');
    expect(chart.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(chart.appVersion).toBe(pkg.version);
  });
});

describe('values.schema.json', () => {
  it('accepts values.yaml', () => {
    expect(errorsOf(values)).toEqual([]);
  });

  it('has ci/ values files, at least two', () => {
    expect(chartCiValuesFiles().length).toBeGreaterThanOrEqual(2);
  });

  it.each(chartCiValuesFiles())('accepts values.yaml merged with ci/%s, as Helm merges them', (file) => {
    const override = readYaml(CHART_DIR, 'ci', file);
    expect(errorsOf(mergeValues(values, override))).toEqual([]);
  });

  it('rejects an unknown top-level key', () => {
    expect(errorsOf({ ...values, replicaCount: 3 })).toContain(' must NOT have additional properties');
  });

  it('rejects unknown keys in the main objects, and values of the wrong type', () => {
    const cases: [string, unknown][] = [
      ['redis', { redis: { ...(values.redis as object), password: 'x' } }],
      ['autoscaling', { autoscaling: { ...values.autoscaling, targetCPU: 50 } }],
      ['config', { config: { ...values.config, SHUTDOWN_TIMEOUT: '1000' } }],
      ['config number', { config: { ...values.config, SHUTDOWN_TIMEOUT_MS: 10000 } }],
      ['config level', { config: { ...values.config, LOG_LEVEL: 'verbose' } }],
      ['ingress', { ingress: { ...(values.ingress as object), enable: true } }],
      ['probes', { probes: { ...values.probes, liveness: { ...values.probes.liveness, path: '/health' } } }],
    ];
    for (const [what, change] of cases) {
      expect(errorsOf(mergeValues(values, change)), what).not.toEqual([]);
    }
  });

  it('closes the top level and every main object to unknown keys', () => {
    expect(schema.additionalProperties).toBe(false);
    const main = [
      'image', 'serviceAccount', 'redis', 'auth', 'config', 'api', 'worker', 'probes', 'service', 'ingress', 'metrics',
      'prometheusRule', 'networkPolicy', 'autoscaling', 'dashboards', 'tests',
    ];
    for (const key of main) expect(schema.properties[key]?.additionalProperties, key).toBe(false);
    expect(Object.keys(schema.properties).filter((key) => key !== 'global').sort()).toEqual(Object.keys(values).sort());
  });
});

describe('templates', () => {
  it('are the expected files', () => {
    expect(templateFiles).toEqual(
      [
        'NOTES.txt',
        '_helpers.tpl',
        'configmap.yaml',
        'dashboard-configmap.yaml',
        'deployment-api.yaml',
        'deployment-worker.yaml',
        'hpa.yaml',
        'ingress.yaml',
        'networkpolicy.yaml',
        'pdb.yaml',
        'prometheusrule.yaml',
        'secret.yaml',
        'service.yaml',
        'serviceaccount.yaml',
        'servicemonitor.yaml',
        join('tests', 'test-ready.yaml'),
      ].sort(),
    );
  });

  it('use only .Values paths that values.yaml defines', () => {
    const missing: string[] = [];
    let used = 0;
    for (const [file, text] of Object.entries(templates)) {
      for (const match of text.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
        used++;
        const path = (match[1] as string).slice(1).split('.');
        let node: unknown = values;
        for (const key of path) {
          node = typeof node === 'object' && node !== null && key in node ? (node as Record<string, unknown>)[key] : undefined;
          if (node === undefined) break;
        }
        if (node === undefined) missing.push(`${file}: .Values.${path.join('.')}`);
      }
    }
    expect(used).toBeGreaterThan(50);
    expect(missing).toEqual([]);
  });

  it('include or template only names that _helpers.tpl defines, and every define is used', () => {
    const defined = new Set([...helpers.matchAll(/\{\{-?\s*define\s+"([^"]+)"/g)].map((m) => m[1]));
    const used = new Set(
      Object.values(templates).flatMap((text) => [...text.matchAll(/\b(?:include|template)\s+"([^"]+)"/g)].map((m) => m[1])),
    );
    expect(defined.size).toBeGreaterThan(5);
    expect([...used].filter((name) => !defined.has(name))).toEqual([]);
    expect([...defined].filter((name) => !used.has(name))).toEqual([]);
  });

  it('_helpers.tpl defines the standard names and labels', () => {
    for (const name of ['name', 'fullname', 'chart', 'labels', 'selectorLabels']) {
      expect(helpers).toContain(`define "a2a-registry.${name}"`);
    }
    for (const label of ['helm.sh/chart', 'app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/version', 'app.kubernetes.io/managed-by', 'app.kubernetes.io/component']) {
      expect(helpers).toContain(`${label}:`);
    }
  });

  it('make the optional objects only when enabled, and leave replicas out of the API Deployment under autoscaling', () => {
    expect(template('ingress.yaml')).toMatch(/^\{\{- if \.Values\.ingress\.enabled \}\}/);
    expect(template('servicemonitor.yaml')).toMatch(/^\{\{- if \.Values\.metrics\.serviceMonitor\.enabled \}\}/);
    expect(template('hpa.yaml')).toMatch(/^\{\{- if \.Values\.autoscaling\.enabled \}\}/);
    expect(template('prometheusrule.yaml')).toMatch(/^\{\{- if \.Values\.prometheusRule\.enabled \}\}/);
    expect(template('networkpolicy.yaml')).toMatch(/^\{\{- if \.Values\.networkPolicy\.enabled \}\}/);
    expect(template('serviceaccount.yaml')).toMatch(/^\{\{- if \.Values\.serviceAccount\.create \}\}/);
    expect(template('deployment-api.yaml')).toMatch(
      /\{\{- if not \.Values\.autoscaling\.enabled \}\}\n\s+replicas: \{\{ \.Values\.api\.replicaCount \}\}\n\s+\{\{- end \}\}/,
    );
    expect(template('deployment-worker.yaml')).toMatch(/replicas: \{\{ \.Values\.worker\.replicaCount \}\}/);
  });

  it('make the dashboard ConfigMap for the Grafana sidecar only when the dashboard file is there', () => {
    const text = template('dashboard-configmap.yaml');
    expect(text).toContain('{{- $dashboard := .Files.Get "dashboards/a2a-registry.json" }}');
    expect(text).toContain('{{- if and .Values.dashboards.enabled $dashboard }}');
    expect(text).toContain('{{ .Values.dashboards.label }}: {{ .Values.dashboards.labelValue | quote }}');
    expect(values.dashboards).toMatchObject({ enabled: true, label: 'grafana_dashboard', labelValue: '1' });
    const dashboard = join(CHART_DIR, 'dashboards', 'a2a-registry.json');
    if (existsSync(dashboard)) expect(() => JSON.parse(readText(dashboard))).not.toThrow();
  });

  it('have a helm test hook that GETs /ready on the API Service', () => {
    const text = template(join('tests', 'test-ready.yaml'));
    expect(text).toContain('helm.sh/hook: test');
    expect(text).toContain('restartPolicy: Never');
    expect(text).toMatch(/printf "http:\/\/%s\.%s\.svc:%v\/ready" \(include "a2a-registry\.fullname" \.\) \.Release\.Namespace \.Values\.service\.port/);
  });

  it('build REDIS_URL from redis.url, an existing Secret, or host/port with $(REDIS_PASSWORD) declared first', () => {
    const start = helpers.indexOf('define "a2a-registry.redisEnv"');
    expect(start).toBeGreaterThan(0);
    const redisEnv = helpers.slice(start, helpers.indexOf('{{/*', start));
    expect(redisEnv).toContain('{{- if $redis.url }}');
    expect(redisEnv).toContain('{{- else if and $redis.existingSecret $redis.existingSecretUrlKey }}');
    expect(redisEnv).toContain('{{- else if $redis.host }}');
    expect(redisEnv.indexOf('- name: REDIS_PASSWORD')).toBeGreaterThan(0);
    expect(redisEnv.indexOf('- name: REDIS_PASSWORD')).toBeLessThan(redisEnv.indexOf(':$(REDIS_PASSWORD)@'));
    expect(redisEnv).toContain('key: {{ $redis.existingSecretPasswordKey }}');
    expect(redisEnv).toContain('{{- fail ');
  });
});

describe('chart defaults agree with k8s/', () => {
  const probeBlocks = (text: string) =>
    Object.fromEntries(
      [...text.matchAll(/(startupProbe|readinessProbe|livenessProbe):\s*\n\s*httpGet:\s*\n\s*path: (\S+)\s*\n\s*port: (\S+)/g)].map((m) => [
        m[1],
        { path: m[2], port: m[3] },
      ]),
    );

  it('probe the same paths on the same named port', () => {
    const container = containerOf(k8sApi);
    expect(probeBlocks(helpers)).toEqual({
      startupProbe: container.startupProbe?.httpGet,
      readinessProbe: container.readinessProbe?.httpGet,
      livenessProbe: container.livenessProbe?.httpGet,
    });
  });

  it('use the same probe timings', () => {
    for (const deployment of [k8sApi, k8sWorker]) {
      const container = containerOf(deployment);
      const timings = (probe: object | undefined) => Object.fromEntries(Object.entries(probe ?? {}).filter(([key]) => key !== 'httpGet'));
      expect(values.probes.startup).toEqual(timings(container.startupProbe));
      expect(values.probes.readiness).toEqual(timings(container.readinessProbe));
      expect(values.probes.liveness).toEqual(timings(container.livenessProbe));
    }
  });

  it('use the same ports', () => {
    const ports = containerOf(k8sApi).ports ?? [];
    expect(values.containerPort).toBe(ports.find((p) => p.name === 'http')?.containerPort);
    expect(values.metrics.port).toBe(ports.find((p) => p.name === 'metrics')?.containerPort);
    const service = findObject<IService>(k8s, 'Service', 'a2a-registry');
    expect(values.service.port).toBe(service.spec?.ports?.find((p) => p.name === 'http')?.port);
    expect(template('configmap.yaml')).toContain('PORT: {{ .Values.containerPort | toString | quote }}');
    expect(template('configmap.yaml')).toContain('METRICS_PORT: {{ .Values.metrics.port | toString | quote }}');
  });

  it('request and limit the same resources', () => {
    expect(values.api.resources).toEqual(containerOf(k8sApi).resources);
    expect(values.worker.resources).toEqual(containerOf(k8sWorker).resources);
  });

  it('have the same replicas (worker) and disruption budgets', () => {
    expect(values.worker.replicaCount).toBe(k8sWorker.spec?.replicas);
    const budget = (name: string) => findObject<IPodDisruptionBudget>(k8s, 'PodDisruptionBudget', name).spec?.maxUnavailable;
    expect(values.api.podDisruptionBudget).toEqual({ enabled: true, maxUnavailable: budget('a2a-registry-api') });
    expect(values.worker.podDisruptionBudget).toEqual({ enabled: true, maxUnavailable: budget('a2a-registry-worker') });
  });

  it('have the same autoscaling bounds, targets and behaviour', () => {
    const spec = must(k8sHpa.spec, 'HPA spec');
    const rps = spec.metrics?.find((m) => m.type === 'Pods')?.pods;
    expect({
      minReplicas: values.autoscaling.minReplicas,
      maxReplicas: values.autoscaling.maxReplicas,
      cpu: values.autoscaling.targetCPUUtilizationPercentage,
      metric: values.autoscaling.requestsPerSecond.metricName,
      averageValue: values.autoscaling.requestsPerSecond.averageValue,
      behavior: values.autoscaling.behavior,
    }).toEqual({
      minReplicas: spec.minReplicas,
      maxReplicas: spec.maxReplicas,
      cpu: spec.metrics?.find((m) => m.type === 'Resource')?.resource?.target.averageUtilization,
      metric: rps?.metric.name,
      averageValue: rps?.target.averageValue,
      behavior: spec.behavior,
    });
    expect(values.autoscaling.requestsPerSecond.enabled).toBe(true);
  });

  it('have the same grace period and preStop sleep', () => {
    expect(values.terminationGracePeriodSeconds).toBe(podSpecOf(k8sApi).terminationGracePeriodSeconds);
    expect(['sleep', String(values.preStopSleepSeconds)]).toEqual(containerOf(k8sApi).lifecycle?.preStop?.exec?.command);
    expect(helpers).toContain('command: ["sleep", {{ $root.Values.preStopSleepSeconds | toString | quote }}]');
  });

  it('have the same security contexts and spread', () => {
    expect(values.podSecurityContext).toEqual(podSpecOf(k8sApi).securityContext);
    expect(values.securityContext).toEqual(containerOf(k8sApi).securityContext);
    const withoutSelectors = (podSpecOf(k8sApi).topologySpreadConstraints ?? []).map(({ labelSelector: _, matchLabelKeys: __, ...rest }) => rest);
    expect(values.topologySpreadConstraints).toEqual(withoutSelectors);
    expect(helpers).toContain('"matchLabelKeys" (list "pod-template-hash")');
  });

  it('set the same environment in the ConfigMap: names and values', () => {
    const chartEnv: Record<string, string> = {
      PORT: String(values.containerPort),
      METRICS_PORT: String(values.metrics.port),
      ...Object.fromEntries(Object.entries(values.config).filter(([, value]) => value !== '')),
    };
    expect(chartEnv).toEqual(k8sConfig.data);
  });

  it('run the same image and scrape the same way', () => {
    expect(`${values.image.repository}:${values.image.tag || String(chart.appVersion)}`).toBe(containerOf(k8sApi).image);
    const monitor = findObject<IServiceMonitor>(k8s, 'ServiceMonitor', 'a2a-registry');
    expect(values.metrics.serviceMonitor).toMatchObject({
      interval: monitor.spec.endpoints?.[0]?.interval,
      scrapeTimeout: monitor.spec.endpoints?.[0]?.scrapeTimeout,
    });
    expect(template('servicemonitor.yaml')).toMatch(/- port: metrics\n\s+path: \/metrics/);
  });
});

/**
 * Every Helm found (HELM_BIN, HELM3_BIN or `helm` on PATH; `.ci/run` sets Helm 4 and Helm 3), each
 * running these checks; without one they are skipped, the title saying why.
 */
const helmCases: [string, string | undefined][] = HELMS.length > 0 ? HELMS.map((h) => [h.version, h.path]) : [[NO_HELM, undefined]];

describe.each(helmCases)('helm template (%s)', (_, helm) => {
  if (!helm) {
    it.skip('needs a helm binary', () => {});
    return;
  }
  const render = (chartDir: string, args: string[]) =>
    spawnSync(must(helm, 'helm'), ['template', 'rel', chartDir, '--namespace', 'registry', ...args], { encoding: 'utf8', timeout: 60_000 });
  const renderObjects = (args: string[], chartDir = CHART_DIR) => {
    const result = render(chartDir, args);
    if (result.status !== 0) throw new Error(result.stderr);
    return parseYamlDocuments(result.stdout, 'helm template') as KubeObject[];
  };

  it.each(chartCiValuesFiles())('renders ci/%s into valid objects that fit together', (file) => {
    const merged = mergeValues(values, readYaml(CHART_DIR, 'ci', file)) as ChartValues;
    const objects = renderObjects(['-f', join(CHART_DIR, 'ci', file)]);
    for (const object of objects) expect(validateKubeObject(object), `${object.kind}/${object.metadata.name}`).toEqual([]);
    const api = findObject<IDeployment>(objects, 'Deployment', 'rel-a2a-registry-api');
    const worker = findObject<IDeployment>(objects, 'Deployment', 'rel-a2a-registry-worker');
    const service = findObject<IService>(objects, 'Service', 'rel-a2a-registry');
    expect(selects(service.spec?.selector, api.spec?.template.metadata?.labels)).toBe(true);
    expect(selects(service.spec?.selector, worker.spec?.template.metadata?.labels)).toBe(false);
    for (const deployment of [api, worker]) {
      expect(selects(deployment.spec?.selector.matchLabels, deployment.spec?.template.metadata?.labels)).toBe(true);
    }
    expect(api.spec?.replicas).toBe(merged.autoscaling.enabled ? undefined : merged.api.replicaCount);
    const hpas = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler') as unknown as IHorizontalPodAutoscaler[];
    expect(hpas.map((h) => h.spec?.scaleTargetRef.name)).toEqual(merged.autoscaling.enabled ? ['rel-a2a-registry-api'] : []);
    expect(objects.some((o) => o.kind === 'ServiceMonitor')).toBe(merged.metrics.serviceMonitor.enabled);
    const test = findObject(objects, 'Pod', 'rel-a2a-registry-test-ready');
    expect(test.metadata.annotations?.['helm.sh/hook']).toBe('test');
  });

  it('fails with a clear message when no Redis is configured', () => {
    const result = render(CHART_DIR, ['--set', 'auth.apiKeys=ops:admin:' + 'a'.repeat(64)]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('needs an external Redis');
  });

  it('refuses a grace period shorter than preStop sleep plus SHUTDOWN_TIMEOUT_MS', () => {
    const result = render(CHART_DIR, ['-f', join(CHART_DIR, 'ci', 'autoscaling-values.yaml'), '--set', 'terminationGracePeriodSeconds=12']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('terminationGracePeriodSeconds (12)');
  });

  it('renders without a dashboard ConfigMap when the dashboard file is missing', () => {
    const copy = mkdtempSync(join(tmpdir(), 'a2a-chart-'));
    try {
      cpSync(CHART_DIR, copy, { recursive: true, filter: (source) => !source.includes(`${join(CHART_DIR, 'dashboards')}`) });
      const objects = renderObjects(['-f', join(CHART_DIR, 'ci', 'autoscaling-values.yaml')], copy);
      expect(objects.some((o) => o.metadata.name === 'rel-a2a-registry-dashboard')).toBe(false);
      expect(objects.some((o) => o.kind === 'Deployment')).toBe(true);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('passes helm lint with each ci/ values file', () => {
    for (const file of chartCiValuesFiles()) {
      const output = execFileSync(must(helm, 'helm'), ['lint', CHART_DIR, '-f', join(CHART_DIR, 'ci', file)], { encoding: 'utf8', timeout: 60_000 });
      expect(output).toContain('0 chart(s) failed');
    }
  });
});
