/**
 * The chart as users drive it: the `--set` combinations they try, rendered by every Helm found (Helm 3
 * and Helm 4 must agree byte for byte) and validated against the Kubernetes schemas; the ServiceAccount,
 * NetworkPolicy, PrometheusRule (checked and unit-tested with promtool), image digest and extra
 * env/volumes/sidecars; the chart's README and Chart.yaml.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPod } from 'kubernetes-models/v1/Pod';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { parsePromQL, selectorsOf } from '../observability/support/queries.js';
import { CHART_DIR, ROOT, chartCiValuesFiles, findObject, k8sDocuments, must, readText, readYaml, selects } from './deploy-files.js';
import { API_KEYS_SET, HELM, HELM3, HELM4, HELMS, MINIMAL_SET, NO_HELM, RELEASE, helmTemplate, renderObjects } from './helm.js';
import { validateKubeObject, type KubeObject } from './kubernetes-schema.js';

const values = readYaml<Record<string, unknown>>(CHART_DIR, 'values.yaml');
const chart = readYaml<Record<string, unknown>>(CHART_DIR, 'Chart.yaml');
const { fullname } = RELEASE;

const deployments = (objects: KubeObject[]) => ['api', 'worker'].map((c) => findObject<IDeployment>(objects, 'Deployment', `${fullname}-${c}`));
const registryContainer = (deployment: IDeployment): IContainer =>
  must(deployment.spec?.template.spec?.containers.find((c) => c.name === 'registry'), 'registry container');
const envOf = (container: IContainer, name: string) => container.env?.find((e) => e.name === name);
const promtoolFound = spawnSync('promtool', ['--version'], { encoding: 'utf8' }).error === undefined;

describe('Chart.yaml', () => {
  it('names a home, its sources and maintainers (name and email)', () => {
    expect(() => new URL(String(chart.home))).not.toThrow();
    const sources = chart.sources as string[];
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) expect(new URL(source).protocol).toBe('https:');
    const maintainers = chart.maintainers as { name: string; email?: string }[];
    expect(maintainers.length).toBeGreaterThan(0);
    for (const maintainer of maintainers) {
      expect(maintainer.name).toBeTruthy();
      expect(maintainer.email).toMatch(/^[^@\s]+@[^@\s]+$/);
    }
  });
});

/** Every value's path, maps descended into; lists and empty maps are values of their own. */
function valuePaths(node: unknown, prefix = ''): string[] {
  if (typeof node !== 'object' || node === null || Array.isArray(node) || Object.keys(node).length === 0) return [prefix];
  return Object.entries(node).flatMap(([key, child]) => valuePaths(child, prefix ? `${prefix}.${key}` : key));
}

describe('the chart README', () => {
  const readme = readText(CHART_DIR, 'README.md');
  const valuesSection = readme.slice(readme.indexOf('\n## Values\n'));
  const rows = new Map(
    [...valuesSection.matchAll(/^\| `([^`]+)` \| ([^|]*) \| (.*) \|$/gm)].map((m) => [m[1] as string, { type: m[2]?.trim(), rest: m[3] as string }]),
  );

  it('has a values table listing every value of values.yaml, and nothing else', () => {
    const paths = valuePaths(values);
    expect(paths.length).toBeGreaterThan(100);
    expect(paths.filter((path) => !rows.has(path))).toEqual([]);
    expect([...rows.keys()].filter((path) => !paths.includes(path))).toEqual([]);
  });

  it('gives each value its default as values.yaml has it', () => {
    const wrong: string[] = [];
    for (const path of valuePaths(values)) {
      const value = path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], values);
      const shown = JSON.stringify(value);
      const row = rows.get(path);
      // Long lists and maps are summed up in the row instead of spelt out.
      if (row && shown.length <= 60 && !row.rest.includes(`\`${shown}\``)) wrong.push(`${path}: ${shown}`);
    }
    expect(wrong).toEqual([]);
  });

  it('links the operations guide and shows an install', () => {
    expect(valuesSection.length).toBeGreaterThan(1000);
    expect(readme).toContain('helm install');
    expect(readme).toMatch(/docs\/operations\.md/);
  });
});

/** The renders users try with `--set`, each with what must hold of its objects. */
const SET_CASES: { name: string; args: string[]; check: (objects: KubeObject[]) => void }[] = [
  {
    name: 'the least: a Redis URL and API keys',
    args: MINIMAL_SET,
    check: (objects) => {
      const secret = findObject<ISecret>(objects, 'Secret', fullname);
      expect(Object.keys(secret.data ?? {}).sort()).toEqual(['api-keys', 'redis-url']);
      expect(objects.some((o) => o.kind === 'Ingress' || o.kind === 'HorizontalPodAutoscaler' || o.kind === 'NetworkPolicy')).toBe(false);
    },
  },
  {
    name: 'ingress on with nothing else (every host)',
    args: [...MINIMAL_SET, '--set', 'ingress.enabled=true'],
    check: (objects) => {
      const ingress = findObject<IIngress>(objects, 'Ingress', fullname);
      expect(ingress.spec?.rules).toEqual([
        { http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: fullname, port: { name: 'http' } } } }] } },
      ]);
      expect(findObject<IConfigMap>(objects, 'ConfigMap', fullname).data?.PUBLIC_URL).toBeUndefined();
    },
  },
  {
    name: 'ingress on with a host, a class and TLS',
    args: [
      ...MINIMAL_SET,
      '--set', 'ingress.enabled=true',
      '--set', 'ingress.className=nginx',
      '--set', 'ingress.hosts[0].host=registry.example.com',
      '--set', 'ingress.hosts[0].paths[0].path=/',
      '--set', 'ingress.hosts[0].paths[0].pathType=Prefix',
      '--set', 'ingress.tls[0].secretName=registry-tls',
      '--set', 'ingress.tls[0].hosts[0]=registry.example.com',
    ],
    check: (objects) => {
      const ingress = findObject<IIngress>(objects, 'Ingress', fullname);
      expect(ingress.spec?.ingressClassName).toBe('nginx');
      expect(ingress.spec?.rules?.[0]?.host).toBe('registry.example.com');
      expect(ingress.spec?.tls).toEqual([{ secretName: 'registry-tls', hosts: ['registry.example.com'] }]);
      expect(findObject<IConfigMap>(objects, 'ConfigMap', fullname).data?.PUBLIC_URL).toBe('https://registry.example.com');
    },
  },
  {
    name: 'HPA off: the API Deployment keeps api.replicaCount',
    args: [...MINIMAL_SET, '--set', 'autoscaling.enabled=false', '--set', 'api.replicaCount=4'],
    check: (objects) => {
      expect(objects.some((o) => o.kind === 'HorizontalPodAutoscaler')).toBe(false);
      expect(deployments(objects)[0]?.spec?.replicas).toBe(4);
    },
  },
  {
    name: 'HPA on CPU only (no prometheus-adapter)',
    args: [...MINIMAL_SET, '--set', 'autoscaling.enabled=true', '--set', 'autoscaling.requestsPerSecond.enabled=false'],
    check: (objects) => {
      const hpa = findObject<{ spec: { metrics: { type: string }[] } } & KubeObject>(objects, 'HorizontalPodAutoscaler', `${fullname}-api`);
      expect(hpa.spec.metrics.map((m) => m.type)).toEqual(['Resource']);
      expect(deployments(objects)[0]?.spec?.replicas).toBeUndefined();
    },
  },
  {
    name: 'API keys from an existing Secret',
    args: ['--set', 'redis.url=redis://redis:6379/0', '--set', 'auth.existingSecret=registry-keys', '--set', 'auth.existingSecretApiKeysKey=keys'],
    check: (objects) => {
      for (const deployment of deployments(objects)) {
        expect(envOf(registryContainer(deployment), 'API_KEYS')?.valueFrom?.secretKeyRef).toEqual({ name: 'registry-keys', key: 'keys' });
      }
      // The chart's own Secret holds only the Redis URL then.
      expect(Object.keys(findObject<ISecret>(objects, 'Secret', fullname).data ?? {})).toEqual(['redis-url']);
    },
  },
  {
    name: 'Redis with TLS by host and port, its password from a Secret',
    args: [
      ...API_KEYS_SET,
      '--set', 'redis.host=redis.example.com',
      '--set', 'redis.port=6380',
      '--set', 'redis.tls=true',
      '--set', 'redis.existingSecret=redis-credentials',
      '--set', 'redis.existingSecretPasswordKey=password',
    ],
    check: (objects) => {
      for (const deployment of deployments(objects)) {
        const container = registryContainer(deployment);
        expect(envOf(container, 'REDIS_PASSWORD')?.valueFrom?.secretKeyRef).toEqual({ name: 'redis-credentials', key: 'password' });
        expect(envOf(container, 'REDIS_URL')?.value).toBe('rediss://:$(REDIS_PASSWORD)@redis.example.com:6380/0');
      }
    },
  },
  {
    name: 'Redis with TLS by URL (rediss://)',
    args: ['--set', 'redis.url=rediss://:secret@redis.example.com:6380/0', ...API_KEYS_SET],
    check: (objects) => {
      const secret = findObject<ISecret>(objects, 'Secret', fullname);
      expect(Buffer.from(must(secret.data?.['redis-url'], 'redis-url'), 'base64').toString()).toBe('rediss://:secret@redis.example.com:6380/0');
    },
  },
  {
    name: 'all of them at once, with the ServiceMonitor, the PrometheusRule and the NetworkPolicy',
    args: [
      '--set', 'redis.host=redis.example.com',
      '--set', 'redis.tls=true',
      '--set', 'auth.existingSecret=registry-keys',
      '--set', 'auth.existingSecretApiKeysKey=keys',
      '--set', 'ingress.enabled=true',
      '--set', 'ingress.hosts[0].host=registry.example.com',
      '--set', 'ingress.hosts[0].paths[0].path=/',
      '--set', 'ingress.hosts[0].paths[0].pathType=Prefix',
      '--set', 'autoscaling.enabled=false',
      '--set', 'metrics.serviceMonitor.enabled=true',
      '--set', 'prometheusRule.enabled=true',
      '--set', 'networkPolicy.enabled=true',
      '--set', 'networkPolicy.redis.to[0].ipBlock.cidr=10.20.0.5/32',
    ],
    check: (objects) => {
      for (const kind of ['Ingress', 'ServiceMonitor', 'PrometheusRule', 'NetworkPolicy', 'ServiceAccount']) {
        expect(objects.filter((o) => o.kind === kind), kind).toHaveLength(1);
      }
      expect(objects.some((o) => o.kind === 'HorizontalPodAutoscaler')).toBe(false);
    },
  },
];

/** The environment a pod of a Deployment gets: the ConfigMap, then its env with $(VAR) references filled in as the kubelet does. */
function podEnvironment(objects: KubeObject[], deployment: IDeployment, secrets: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = { ...findObject<IConfigMap>(objects, 'ConfigMap', fullname).data };
  for (const entry of registryContainer(deployment).env ?? []) {
    const value = entry.valueFrom?.secretKeyRef ? must(secrets[entry.valueFrom.secretKeyRef.key], `secret key ${entry.valueFrom.secretKeyRef.key}`) : entry.value ?? '';
    env[entry.name] = value.replace(/\$\((\w+)\)/g, (whole, name: string) => env[name] ?? whole);
  }
  return env;
}

describe.skipIf(!HELM)(`helm template with --set, as users try it (${HELMS.map((h) => h.version).join(', ') || NO_HELM})`, () => {
  it.each(SET_CASES.map((c) => [c.name, c] as const))('%s: renders valid objects, as expected, that the registry accepts', (_, { args, check }) => {
    const objects = renderObjects(args);
    for (const object of objects) expect(validateKubeObject(object), `${object.kind}/${object.metadata.name}`).toEqual([]);
    check(objects);
    // What each pod is started with loads as a valid configuration (Secrets filled with plausible values).
    const secrets = { 'redis-url': 'redis://redis:6379/0', 'api-keys': `ops:admin:${'a'.repeat(64)}`, keys: `ops:admin:${'a'.repeat(64)}`, password: 'p' };
    for (const deployment of deployments(objects)) {
      try {
        expect(loadConfig(podEnvironment(objects, deployment, secrets)).role).toBe(envOf(registryContainer(deployment), 'ROLE')?.value);
      } catch (error) {
        throw error instanceof ConfigError ? new Error(error.message) : error;
      }
    }
  });

  it('refuses API keys named by a Secret without its key, and a NetworkPolicy without Redis, with messages saying what to set', () => {
    const keys = helmTemplate(['--set', 'redis.url=redis://redis:6379/0', '--set', 'auth.existingSecret=registry-keys']);
    expect(keys.status).not.toBe(0);
    expect(keys.stderr).toContain('auth.existingSecretApiKeysKey');
    const policy = helmTemplate([...MINIMAL_SET, '--set', 'networkPolicy.enabled=true']);
    expect(policy.status).not.toBe(0);
    expect(policy.stderr).toContain('networkPolicy.redis.to');
  });

  it('refuses a malformed image digest (values.schema.json)', () => {
    const result = helmTemplate([...MINIMAL_SET, '--set', 'image.digest=latest']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('digest');
  });
});

describe.skipIf(!HELM)('k8s/ is what the chart renders', () => {
  it('as release a2a-registry with the options k8s/ takes (HPA, Ingress of class nginx, ServiceMonitor, its Secret), object for object', () => {
    const rendered = renderObjects(
      [
        '--set', 'autoscaling.enabled=true',
        '--set', 'ingress.enabled=true',
        '--set', 'ingress.className=nginx',
        '--set', 'metrics.serviceMonitor.enabled=true',
        '--set', 'redis.existingSecret=a2a-registry',
        '--set', 'redis.existingSecretUrlKey=redis-url',
        '--set', 'auth.existingSecret=a2a-registry',
        '--set', 'auth.existingSecretApiKeysKey=api-keys',
        '--set', 'dashboards.enabled=false',
        '--set', 'tests.enabled=false',
      ],
      { release: 'a2a-registry' },
    );
    /** Without what only Helm adds (its labels, config checksums) and the namespace, which k8s/ leaves to overlays. */
    const comparable = (object: KubeObject) => {
      const copy = structuredClone(object) as KubeObject & { spec?: { template?: { metadata?: KubeObject['metadata'] }; namespaceSelector?: unknown } };
      delete copy.metadata.namespace;
      for (const metadata of [copy.metadata, copy.spec?.template?.metadata]) {
        if (!metadata) continue;
        delete metadata.labels?.['helm.sh/chart'];
        delete metadata.labels?.['app.kubernetes.io/managed-by'];
        for (const key of Object.keys(metadata.annotations ?? {})) if (key.startsWith('checksum/')) delete metadata.annotations?.[key];
        if (metadata.annotations && Object.keys(metadata.annotations).length === 0) delete metadata.annotations;
      }
      // The chart pins its ServiceMonitor to the release namespace; a base without a namespace cannot.
      if (copy.kind === 'ServiceMonitor') delete copy.spec?.namespaceSelector;
      return copy;
    };
    const key = (o: KubeObject) => `${o.kind}/${o.metadata.name}`;
    const base = k8sDocuments().map((d) => d.object);
    expect(rendered.map(key).sort()).toEqual(base.map(key).sort());
    for (const object of base) expect(comparable(findObject(rendered, object.kind, object.metadata.name)), key(object)).toEqual(comparable(object));
  });
});

describe.skipIf(!HELM3 || !HELM4)(`Helm 3 and Helm 4 (${HELM3?.version ?? 'no Helm 3: set HELM3_BIN'}, ${HELM4?.version ?? 'no Helm 4: set HELM_BIN'})`, () => {
  const renders = [
    ...chartCiValuesFiles().map((file) => [`ci/${file}`, ['-f', join(CHART_DIR, 'ci', file)]] as const),
    ...SET_CASES.map((c) => [c.name, c.args] as const),
  ];

  it.each(renders)('render %s identically', (_, args) => {
    const three = helmTemplate([...args], { helm: HELM3 });
    const four = helmTemplate([...args], { helm: HELM4 });
    expect(three.status, three.stderr).toBe(0);
    expect(four.status, four.stderr).toBe(0);
    expect(three.stdout).toBe(four.stdout);
  });

  it.each([HELM3, HELM4].map((h) => [h?.version, h] as const))('%s: helm lint --strict passes with the defaults plus each ci/ file', (_, binary) => {
    for (const file of chartCiValuesFiles()) {
      const run = spawnSync(must(binary, 'helm').path, ['lint', '--strict', CHART_DIR, '-f', join(CHART_DIR, 'ci', file)], { encoding: 'utf8', timeout: 60_000 });
      expect(run.status, `${file}: ${run.stdout}${run.stderr}`).toBe(0);
      expect(run.stdout).toContain('0 chart(s) failed');
    }
  });
});

describe.skipIf(!HELM)('ServiceAccount, image digest, extra env, volumes and sidecars', () => {
  it('by default the pods run as a ServiceAccount of the release that mounts no token', () => {
    const objects = renderObjects(MINIMAL_SET);
    const account = findObject<IServiceAccount>(objects, 'ServiceAccount', fullname);
    expect(account.automountServiceAccountToken).toBe(false);
    const test = findObject<IPod>(objects, 'Pod', `${fullname}-test-ready`);
    for (const spec of [...deployments(objects).map((d) => d.spec?.template.spec), test.spec]) {
      expect(spec?.serviceAccountName).toBe(fullname);
      expect(spec?.automountServiceAccountToken).toBe(false);
    }
  });

  it('with serviceAccount.create=false, the pods use the named account, else the default one', () => {
    const named = renderObjects([...MINIMAL_SET, '--set', 'serviceAccount.create=false', '--set', 'serviceAccount.name=shared']);
    expect(named.some((o) => o.kind === 'ServiceAccount')).toBe(false);
    for (const deployment of deployments(named)) expect(deployment.spec?.template.spec?.serviceAccountName).toBe('shared');
    const unnamed = renderObjects([...MINIMAL_SET, '--set', 'serviceAccount.create=false']);
    for (const deployment of deployments(unnamed)) expect(deployment.spec?.template.spec?.serviceAccountName).toBe('default');
  });

  it('pulls by digest when image.digest is set, with or without a tag', () => {
    const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;
    const images = (args: string[]) => [
      ...deployments(renderObjects([...MINIMAL_SET, ...args])).map((d) => registryContainer(d).image),
      findObject<IPod>(renderObjects([...MINIMAL_SET, ...args]), 'Pod', `${fullname}-test-ready`).spec?.containers[0]?.image,
    ];
    expect(images(['--set', `image.digest=${digest}`])).toEqual(Array(3).fill(`a2a-registry@${digest}`));
    expect(images(['--set', `image.digest=${digest}`, '--set', 'image.tag=0.1.0'])).toEqual(Array(3).fill(`a2a-registry:0.1.0@${digest}`));
    expect(images([])).toEqual(Array(3).fill(`a2a-registry:${String(chart.appVersion)}`));
  });

  it('adds extraEnv, extraVolumes, extraVolumeMounts and sidecars to both Deployments, after the chart’s own', () => {
    const objects = renderObjects(['-f', join(CHART_DIR, 'ci', 'hardened-values.yaml'), '--set', 'extraEnv[0].name=NODE_OPTIONS', '--set', 'extraEnv[0].value=--max-old-space-size=384']);
    for (const deployment of deployments(objects)) {
      const pod = must(deployment.spec?.template.spec, 'pod spec');
      expect(pod.containers.map((c) => c.name)).toEqual(['registry', 'otel-agent']);
      expect(pod.volumes?.map((v) => v.name)).toEqual(['tmp', 'otel-config']);
      const registry = registryContainer(deployment);
      expect(registry.volumeMounts).toEqual([
        { name: 'tmp', mountPath: '/tmp' },
        { name: 'otel-config', mountPath: '/etc/otel', readOnly: true },
      ]);
      expect(registry.env?.at(-1)).toEqual({ name: 'NODE_OPTIONS', value: '--max-old-space-size=384' });
      expect(registry.env?.[0]).toEqual({ name: 'ROLE', value: deployment.metadata?.name?.endsWith('-api') ? 'api' : 'worker' });
    }
  });
});

describe.skipIf(!HELM)('NetworkPolicy', () => {
  const objects = HELM ? renderObjects(['-f', join(CHART_DIR, 'ci', 'hardened-values.yaml')]) : [];
  const policy = () => findObject<INetworkPolicy>(objects, 'NetworkPolicy', fullname);
  const podLabelsOf = (name: string) => findObject<IDeployment>(objects, 'Deployment', name).spec?.template.metadata?.labels ?? {};
  /** Whether a podSelector with matchLabels and `In` expressions selects these labels. */
  const selectsPod = (selector: INetworkPolicy['spec'] extends infer S ? S extends { podSelector: infer P } ? P : never : never, labels: Record<string, string>) =>
    selects(selector.matchLabels, labels) &&
    (selector.matchExpressions ?? []).every((e) => e.operator === 'In' && (e.values ?? []).includes(labels[e.key] ?? ''));

  it('selects the API and worker pods, not the helm test pod', () => {
    const selector = must(policy().spec?.podSelector, 'podSelector');
    expect(selectsPod(selector, podLabelsOf(`${fullname}-api`))).toBe(true);
    expect(selectsPod(selector, podLabelsOf(`${fullname}-worker`))).toBe(true);
    const test = findObject<IPod>(objects, 'Pod', `${fullname}-test-ready`);
    expect(selectsPod(selector, test.metadata?.labels ?? {})).toBe(false);
    expect(policy().spec?.policyTypes).toEqual(['Ingress', 'Egress']);
  });

  it('lets the pods reach DNS, Redis (at its port) and the outbound fetcher’s destinations, and nothing else', () => {
    const hardened = readYaml<{ networkPolicy: { redis: { to: unknown[] } } }>(CHART_DIR, 'ci', 'hardened-values.yaml');
    const defaults = values.networkPolicy as { dns: { to: unknown[] }; outbound: { to: unknown[]; ports: unknown[] } };
    expect(policy().spec?.egress).toEqual([
      { ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }], to: defaults.dns.to },
      { ports: [{ port: 6380, protocol: 'TCP' }], to: hardened.networkPolicy.redis.to },
      { to: defaults.outbound.to, ports: defaults.outbound.ports },
    ]);
    // The outbound default: public IPv4 only, so the pods cannot be made to fetch from the cluster or the cloud's metadata service.
    expect(JSON.stringify(defaults.outbound.to)).toContain('169.254.0.0/16');
    expect(JSON.stringify(defaults.outbound.to)).toContain('10.0.0.0/8');
  });

  it('admits the API port from apiFrom and the helm test pod, and the metrics port from metricsFrom', () => {
    const hardened = readYaml<{ networkPolicy: { apiFrom: unknown[]; metricsFrom: unknown[] } }>(CHART_DIR, 'ci', 'hardened-values.yaml');
    const [api, metrics] = must(policy().spec?.ingress, 'ingress');
    expect(api?.ports).toEqual([{ port: 'http', protocol: 'TCP' }]);
    expect(api?.from?.slice(0, -1)).toEqual(hardened.networkPolicy.apiFrom);
    const test = findObject<IPod>(objects, 'Pod', `${fullname}-test-ready`);
    expect(selects(api?.from?.at(-1)?.podSelector?.matchLabels, test.metadata?.labels)).toBe(true);
    expect(metrics).toEqual({ ports: [{ port: 'metrics', protocol: 'TCP' }], from: hardened.networkPolicy.metricsFrom });
  });

  it('admits anyone to the ports when apiFrom and metricsFrom are empty, and takes Redis’s port from redis.port or its own', () => {
    const open = findObject<INetworkPolicy>(
      renderObjects([...MINIMAL_SET, '--set', 'networkPolicy.enabled=true', '--set', 'networkPolicy.redis.to[0].ipBlock.cidr=10.0.0.9/32']),
      'NetworkPolicy',
      fullname,
    );
    expect(open.spec?.ingress?.map((rule) => rule.from)).toEqual([undefined, undefined]);
    expect(open.spec?.egress?.[1]?.ports).toEqual([{ port: 6379, protocol: 'TCP' }]);
    const own = findObject<INetworkPolicy>(
      renderObjects([...MINIMAL_SET, '--set', 'networkPolicy.enabled=true', '--set', 'networkPolicy.redis.to[0].ipBlock.cidr=10.0.0.9/32', '--set', 'networkPolicy.redis.port=7000']),
      'NetworkPolicy',
      fullname,
    );
    expect(own.spec?.egress?.[1]?.ports).toEqual([{ port: 7000, protocol: 'TCP' }]);
  });
});

/** Names of the metrics src/metrics/metrics.ts defines, histogram series included, and Prometheus's `up`. */
function registryMetricNames(): Set<string> {
  const source = readText(ROOT, 'src', 'metrics', 'metrics.ts');
  const names = new Set(['up']);
  for (const m of source.matchAll(/new (Counter|Gauge|Histogram)\(\{\s*name: '(\w+)'/g)) {
    const name = m[2] as string;
    names.add(name);
    if (m[1] === 'Histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}

describe.skipIf(!HELM)(`PrometheusRule${promtoolFound ? '' : ' (promtool checks skipped: promtool is not on PATH; .ci/run installs Debian’s prometheus package)'}`, () => {
  const ruleOf = (args: string[]) =>
    findObject<IPrometheusRule>(
      renderObjects([...MINIMAL_SET, '--set', 'metrics.serviceMonitor.enabled=true', '--set', 'prometheusRule.enabled=true', ...args]),
      'PrometheusRule',
      fullname,
    );
  const rule = HELM ? ruleOf([]) : undefined;
  const alerts = () => must(rule, 'rule').spec.groups?.flatMap((g) => g.rules ?? []) ?? [];
  const exprOf = (r: IPrometheusRule, alert: string) => String(r.spec.groups?.flatMap((g) => g.rules ?? []).find((a) => a.alert === alert)?.expr);

  /** Writes the rendered groups as a Prometheus rule file in a fresh directory. */
  const ruleFile = (r: IPrometheusRule) => {
    const dir = mkdtempSync(join(tmpdir(), 'a2a-rules-'));
    writeFileSync(join(dir, 'rules.yaml'), stringify({ groups: r.spec.groups }));
    return dir;
  };

  it('is made only when enabled, and validates', () => {
    expect(renderObjects(MINIMAL_SET).some((o) => o.kind === 'PrometheusRule')).toBe(false);
    expect(validateKubeObject(must(rule, 'rule') as unknown as KubeObject)).toEqual([]);
  });

  it('needs the ServiceMonitor whose job labels it reads, or selectors of its own', () => {
    const alone = helmTemplate([...MINIMAL_SET, '--set', 'prometheusRule.enabled=true']);
    expect(alone.status).not.toBe(0);
    expect(alone.stderr).toContain('enable metrics.serviceMonitor, or set prometheusRule.selector and prometheusRule.apiSelector');
    const own = renderObjects([
      ...MINIMAL_SET,
      '--set', 'prometheusRule.enabled=true',
      '--set', 'prometheusRule.selector=app="registry"',
      '--set', 'prometheusRule.apiSelector=app="registry"\\, component="api"',
    ]);
    expect(own.filter((o) => o.kind === 'PrometheusRule')).toHaveLength(1);
  });

  it('alerts on replicas down, Redis unreachable, error ratio, p99 latency, stalled sweeps and invalidation lag', () => {
    expect(alerts().map((a) => a.alert)).toEqual([
      'A2ARegistryTargetDown',
      'A2ARegistryAPIDown',
      'A2ARegistryRedisUnreachable',
      'A2ARegistryHighErrorRatio',
      'A2ARegistryHighLatency',
      'A2ARegistrySweepStalled',
      'A2ARegistrySweepWorkersAbsent',
      'A2ARegistryInvalidationLagHigh',
    ]);
    for (const alert of alerts()) {
      expect(['warning', 'critical'], alert.alert).toContain(alert.labels?.severity);
      expect(alert.annotations?.summary, alert.alert).toBeTruthy();
      expect(alert.annotations?.description, alert.alert).toBeTruthy();
    }
  });

  it('reads only metrics the registry exports, each selector scoped to the release’s namespace and job', () => {
    const known = registryMetricNames();
    for (const alert of alerts()) {
      const parsed = parsePromQL(String(alert.expr));
      expect(parsed.errors, alert.alert).toEqual([]);
      for (const selector of selectorsOf(parsed)) {
        expect(known, `${alert.alert}: ${selector.metric}`).toContain(selector.metric);
        expect(selector.matchers, `${alert.alert}: ${selector.metric}`).toContainEqual({ label: 'namespace', op: '=', value: RELEASE.namespace });
        expect(selector.matchers.find((m) => m.label === 'job'), `${alert.alert}: ${selector.metric}`).toBeDefined();
      }
    }
  });

  it('follows config.SWEEP_INTERVAL_SECONDS, the thresholds and the selectors of its values', () => {
    const custom = ruleOf([
      '--set-string', 'config.SWEEP_INTERVAL_SECONDS=60',
      '--set', 'prometheusRule.sweepStalledIntervals=5',
      '--set', 'prometheusRule.errorRatio=0.01',
      '--set', 'prometheusRule.selector=cluster="eu"\\, app="registry"',
      '--set', 'prometheusRule.apiSelector=cluster="eu"\\, app="registry"\\, component="api"',
      '--set', 'prometheusRule.alertLabels.team=registry',
    ]);
    expect(exprOf(custom, 'A2ARegistrySweepStalled')).toBe('time() - max(a2a_sweep_last_success_timestamp_seconds{cluster="eu", app="registry"}) > 300');
    expect(exprOf(custom, 'A2ARegistryHighErrorRatio')).toMatch(/\{cluster="eu", app="registry", component="api", route!~"\/metrics\|\/health\|\/ready", status_code=~"5\.\."\}.* > 0\.01$/);
    for (const alert of custom.spec.groups?.flatMap((g) => g.rules ?? []) ?? []) expect(alert.labels?.team, alert.alert).toBe('registry');
  });

  it.skipIf(!promtoolFound)('passes promtool check rules', () => {
    const dir = ruleFile(must(rule, 'rule'));
    try {
      const run = spawnSync('promtool', ['check', 'rules', join(dir, 'rules.yaml')], { encoding: 'utf8', timeout: 30_000 });
      expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
      expect(run.stdout).toContain(`SUCCESS: ${alerts().length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!promtoolFound)('passes promtool test rules: each alert fires on synthetic series that should page, not on healthy ones or another app’s', () => {
    const dir = ruleFile(must(rule, 'rule'));
    try {
      copyFileSync(join(ROOT, 'test', 'deploy', 'prometheus-rules.promtool.yaml'), join(dir, 'tests.yaml'));
      const run = spawnSync('promtool', ['test', 'rules', 'tests.yaml'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
      expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
      expect(run.stdout).toContain('SUCCESS');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every alert is exercised by the promtool tests, firing at least once', () => {
    const tests = readYaml<{ tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[] }>(ROOT, 'test', 'deploy', 'prometheus-rules.promtool.yaml');
    const firing = new Set(tests.tests.flatMap((t) => t.alert_rule_test.filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname)));
    expect(alerts().map((a) => a.alert).filter((name) => !firing.has(String(name)))).toEqual([]);
  });
});
