import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { describe, expect, it } from 'vitest';
import {
  K8S_DIR,
  containerOf,
  findObject,
  k8sDocuments,
  k8sManifestFiles,
  must,
  parseYamlDocuments,
  podSpecOf,
  quantity,
  readYaml,
  selects,
} from './deploy-files.js';
import { validateKubeObject, type KubeObject } from './kubernetes-schema.js';

const documents = k8sDocuments();
const objects = documents.map((d) => d.object);

const configMap = findObject<IConfigMap>(objects, 'ConfigMap', 'a2a-registry');
const env = must(configMap.data, 'ConfigMap data');
const api = findObject<IDeployment>(objects, 'Deployment', 'a2a-registry-api');
const worker = findObject<IDeployment>(objects, 'Deployment', 'a2a-registry-worker');
const deployments = [api, worker];
const apiService = findObject<IService>(objects, 'Service', 'a2a-registry');
const workerService = findObject<IService>(objects, 'Service', 'a2a-registry-worker');
const hpa = findObject<IHorizontalPodAutoscaler>(objects, 'HorizontalPodAutoscaler', 'a2a-registry-api');

const podLabels = (deployment: IDeployment) => deployment.spec?.template.metadata?.labels;
const nameOf = (deployment: IDeployment) => must(deployment.metadata?.name, 'Deployment name');
const envValue = (container: IContainer, name: string) => container.env?.find((e) => e.name === name);

describe('k8s/ manifests against the Kubernetes schemas', () => {
  it('holds the objects of the registry', () => {
    expect(documents.map((d) => `${d.object.kind}/${d.object.metadata.name}`).sort()).toEqual(
      [
        'ConfigMap/a2a-registry',
        'Deployment/a2a-registry-api',
        'Deployment/a2a-registry-worker',
        'HorizontalPodAutoscaler/a2a-registry-api',
        'Ingress/a2a-registry',
        'PodDisruptionBudget/a2a-registry-api',
        'PodDisruptionBudget/a2a-registry-worker',
        'Service/a2a-registry',
        'Service/a2a-registry-worker',
        'ServiceMonitor/a2a-registry',
        'ServiceAccount/a2a-registry',
      ].sort(),
    );
  });

  it.each(documents.map((d) => [`${d.file}#${d.index} ${d.object.kind}/${d.object.metadata?.name}`, d.object] as const))(
    '%s validates, with no field its type lacks',
    (_, object) => {
      expect(validateKubeObject(object)).toEqual([]);
    },
  );

  describe('the validation itself', () => {
    const withField = (object: KubeObject, edit: (copy: Record<string, any>) => void) => {
      const copy = structuredClone(object) as Record<string, any>;
      edit(copy);
      return copy;
    };

    it('rejects an unknown field in a container', () => {
      const bad = withField(api as KubeObject, (c) => {
        c.spec.template.spec.containers[0].bogusField = true;
      });
      expect(validateKubeObject(bad)).toEqual(['/spec/template/spec/containers/0/bogusField: unknown field "bogusField"']);
    });

    it('rejects a field put one level off (a probe path beside httpGet)', () => {
      const bad = withField(api as KubeObject, (c) => {
        c.spec.template.spec.containers[0].readinessProbe.path = '/ready';
      });
      expect(validateKubeObject(bad)).toEqual(['/spec/template/spec/containers/0/readinessProbe/path: unknown field "path"']);
    });

    it('rejects an unknown field in a custom resource (ServiceMonitor endpoint)', () => {
      const monitor = findObject(objects, 'ServiceMonitor', 'a2a-registry');
      const bad = withField(monitor, (c) => {
        c.spec.endpoints[0].scrapePath = '/metrics';
      });
      expect(validateKubeObject(bad)).toEqual(['/spec/endpoints/0/scrapePath: unknown field "scrapePath"']);
    });

    it('rejects an unknown field in an HPA metric target', () => {
      const bad = withField(hpa as unknown as KubeObject, (c) => {
        c.spec.metrics[1].pods.target.averageValues = '10';
      });
      expect(validateKubeObject(bad)).toEqual(['/spec/metrics/1/pods/target/averageValues: unknown field "averageValues"']);
    });

    it('rejects a wrong type and a missing required field', () => {
      const wrongType = withField(worker as KubeObject, (c) => {
        c.spec.replicas = 'two';
      });
      expect(validateKubeObject(wrongType).join()).toMatch(/replicas must be integer/);
      const missing = withField(apiService as KubeObject, (c) => {
        delete c.spec.ports[0].port;
      });
      expect(validateKubeObject(missing).join()).toMatch(/must have required property '?port'?/);
    });

    it('rejects an apiVersion it has no schema for', () => {
      expect(validateKubeObject({ ...hpa, apiVersion: 'autoscaling/v2beta1' })).toEqual([
        'no schema for apiVersion/kind autoscaling/v2beta1/HorizontalPodAutoscaler',
      ]);
    });
  });
});

describe('k8s/ objects agree with each other', () => {
  it.each(deployments.map((d) => [nameOf(d), d] as const))('%s: its selector matches its pod template labels', (_, deployment) => {
    expect(selects(deployment.spec?.selector.matchLabels, podLabels(deployment))).toBe(true);
    expect(deployment.spec?.selector.matchExpressions).toBeUndefined();
  });

  it('the API and worker selectors do not select each other’s pods', () => {
    expect(selects(api.spec?.selector.matchLabels, podLabels(worker))).toBe(false);
    expect(selects(worker.spec?.selector.matchLabels, podLabels(api))).toBe(false);
  });

  it('the API Service selects the API pods only, and the worker Service the worker pods only', () => {
    expect(selects(apiService.spec?.selector, podLabels(api))).toBe(true);
    expect(selects(apiService.spec?.selector, podLabels(worker))).toBe(false);
    expect(selects(workerService.spec?.selector, podLabels(worker))).toBe(true);
    expect(selects(workerService.spec?.selector, podLabels(api))).toBe(false);
  });

  it('every Service targets a named port of the pods it selects', () => {
    for (const [service, deployment] of [
      [apiService, api],
      [workerService, worker],
    ] as const) {
      const containerPorts = new Set((containerOf(deployment).ports ?? []).map((p) => p.name));
      for (const port of must(service.spec?.ports, 'Service ports')) {
        expect(containerPorts, `${service.metadata?.name} port ${port.name}`).toContain(port.targetPort);
      }
    }
  });

  it('the Ingress routes to the API Service’s http port, not to metrics', () => {
    const ingress = findObject<IIngress>(objects, 'Ingress', 'a2a-registry');
    const backends = (ingress.spec?.rules ?? []).flatMap((rule) => rule.http?.paths ?? []).map((path) => path.backend.service);
    expect(backends.length).toBeGreaterThan(0);
    for (const backend of backends) {
      expect(backend?.name).toBe(apiService.metadata?.name);
      expect(backend?.port?.name).toBe('http');
    }
    expect(apiService.spec?.ports?.map((p) => p.name)).toContain('http');
  });

  it('the HPA scales the API Deployment, on CPU and on requests per second per pod, with scale-up and scale-down behaviour', () => {
    const spec = must(hpa.spec, 'HPA spec');
    expect(spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: nameOf(api) });
    expect(spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(spec.maxReplicas).toBeGreaterThan(must(spec.minReplicas, 'minReplicas'));
    const cpu = spec.metrics?.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu');
    expect(cpu?.resource?.target.type).toBe('Utilization');
    expect(cpu?.resource?.target.averageUtilization).toBeGreaterThan(0);
    const rps = spec.metrics?.find((m) => m.type === 'Pods');
    expect(rps?.pods?.metric.name).toBe('http_requests_per_second');
    expect(rps?.pods?.target.type).toBe('AverageValue');
    expect(quantity(must(rps?.pods?.target.averageValue, 'averageValue'))).toBeGreaterThan(0);
    expect(spec.behavior?.scaleUp?.policies?.length).toBeGreaterThan(0);
    expect(spec.behavior?.scaleDown?.policies?.length).toBeGreaterThan(0);
    expect(spec.behavior?.scaleDown?.stabilizationWindowSeconds).toBeGreaterThan(0);
  });

  it('the API Deployment leaves the replica count to the HPA', () => {
    expect(api.spec?.replicas).toBeUndefined();
    expect(worker.spec?.replicas).toBeGreaterThanOrEqual(1);
  });

  it('each PodDisruptionBudget selects exactly one Deployment’s pods', () => {
    const budgets = objects.filter((o) => o.kind === 'PodDisruptionBudget') as unknown as IPodDisruptionBudget[];
    expect(budgets).toHaveLength(2);
    for (const deployment of deployments) {
      const matching = budgets.filter((b) => selects(b.spec?.selector?.matchLabels, podLabels(deployment)));
      expect(matching, nameOf(deployment)).toHaveLength(1);
      expect(matching[0]?.spec?.maxUnavailable ?? matching[0]?.spec?.minAvailable).toBeDefined();
    }
  });

  it('the ServiceMonitor scrapes /metrics on the metrics port of both Services', () => {
    const monitor = findObject<IServiceMonitor>(objects, 'ServiceMonitor', 'a2a-registry');
    for (const service of [apiService, workerService]) {
      expect(selects(monitor.spec.selector.matchLabels, service.metadata?.labels), service.metadata?.name).toBe(true);
    }
    const endpoints = must(monitor.spec.endpoints, 'ServiceMonitor endpoints');
    expect(endpoints).toHaveLength(1);
    expect(endpoints[0]?.path).toBe('/metrics');
    expect(endpoints[0]?.port).toBe('metrics');
    for (const service of [apiService, workerService]) {
      expect(service.spec?.ports?.find((p) => p.name === 'metrics')?.targetPort).toBe('metrics');
    }
  });
});

describe('k8s/ pods', () => {
  const cases = deployments.map((d) => [nameOf(d), d] as const);

  it.each(cases)('%s: its container has CPU and memory requests and limits, requests within limits', (_, deployment) => {
    const { requests, limits } = must(containerOf(deployment).resources, 'resources');
    for (const resource of ['cpu', 'memory']) {
      const request = must(requests?.[resource], `${resource} request`);
      const limit = must(limits?.[resource], `${resource} limit`);
      expect(quantity(request)).toBeGreaterThan(0);
      expect(quantity(request)).toBeLessThanOrEqual(quantity(limit));
    }
  });

  it.each(cases)('%s: probes /ready (startup, readiness) and /health (liveness) on the named port http', (_, deployment) => {
    const container = containerOf(deployment);
    const httpGet = (probe: IProbe | undefined, which: string) => must(probe?.httpGet, `${which} httpGet`);
    expect(httpGet(container.startupProbe, 'startupProbe')).toEqual({ path: '/ready', port: 'http' });
    expect(httpGet(container.readinessProbe, 'readinessProbe')).toEqual({ path: '/ready', port: 'http' });
    expect(httpGet(container.livenessProbe, 'livenessProbe')).toEqual({ path: '/health', port: 'http' });
    // A slow start is the startup probe's business: liveness must not kill a pod before that budget.
    const startup = must(container.startupProbe, 'startupProbe');
    expect((startup.periodSeconds ?? 10) * (startup.failureThreshold ?? 3)).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)('%s: port http is PORT and port metrics is METRICS_PORT of the ConfigMap', (_, deployment) => {
    const ports = containerOf(deployment).ports ?? [];
    expect(ports.find((p) => p.name === 'http')?.containerPort).toBe(Number(env.PORT));
    expect(ports.find((p) => p.name === 'metrics')?.containerPort).toBe(Number(env.METRICS_PORT));
    expect(env.PORT).toBe('8000');
  });

  it.each(cases)('%s: preStop sleep plus SHUTDOWN_TIMEOUT_MS fits within terminationGracePeriodSeconds with margin', (_, deployment) => {
    const command = must(containerOf(deployment).lifecycle?.preStop?.exec?.command, 'preStop exec command');
    expect(command).toEqual(['sleep', expect.stringMatching(/^\d+$/)]);
    const preStopSeconds = Number(command[1]);
    const shutdownSeconds = Number(must(env.SHUTDOWN_TIMEOUT_MS, 'SHUTDOWN_TIMEOUT_MS')) / 1000;
    const grace = must(podSpecOf(deployment).terminationGracePeriodSeconds, 'terminationGracePeriodSeconds');
    expect(preStopSeconds).toBeGreaterThan(0);
    expect(preStopSeconds + shutdownSeconds + 5).toBeLessThanOrEqual(grace);
  });

  it.each(cases)('%s: runs as non-root, as a ServiceAccount of its own without a token, with a read-only root filesystem, no capabilities and the runtime seccomp profile', (_, deployment) => {
    const pod = podSpecOf(deployment);
    expect(pod.securityContext?.runAsNonRoot).toBe(true);
    expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
    expect(pod.securityContext?.seccompProfile?.type).toBe('RuntimeDefault');
    expect(pod.automountServiceAccountToken).toBe(false);
    const account = findObject<IServiceAccount>(objects, 'ServiceAccount', must(pod.serviceAccountName, 'serviceAccountName'));
    expect(account.automountServiceAccountToken).toBe(false);
    const security = containerOf(deployment).securityContext;
    expect(security?.runAsNonRoot).toBe(true);
    expect(security?.readOnlyRootFilesystem).toBe(true);
    expect(security?.allowPrivilegeEscalation).toBe(false);
    expect(security?.capabilities?.drop).toEqual(['ALL']);
  });

  it.each(cases)('%s: spreads its own pods over zones and nodes', (_, deployment) => {
    const constraints = must(podSpecOf(deployment).topologySpreadConstraints, 'topologySpreadConstraints');
    expect(constraints.map((c) => c.topologyKey).sort()).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
    for (const constraint of constraints) {
      expect(selects(constraint.labelSelector?.matchLabels, podLabels(deployment))).toBe(true);
    }
  });

  it.each([
    ['a2a-registry-api', 'api', api],
    ['a2a-registry-worker', 'worker', worker],
  ] as const)('%s: sets ROLE=%s, reads the ConfigMap and takes REDIS_URL from a Secret', (_, role, deployment) => {
    const container = containerOf(deployment);
    expect(envValue(container, 'ROLE')?.value).toBe(role);
    expect(container.envFrom).toEqual([{ configMapRef: { name: configMap.metadata?.name } }]);
    expect(envValue(container, 'REDIS_URL')?.valueFrom?.secretKeyRef).toEqual({ name: 'a2a-registry', key: 'redis-url' });
    expect(envValue(container, 'REDIS_URL')?.value).toBeUndefined();
    if (env.AUTH_MODE === 'apikey') {
      expect(envValue(container, 'API_KEYS')?.valueFrom?.secretKeyRef).toEqual({ name: 'a2a-registry', key: 'api-keys' });
    }
  });

  it('ROLE, REDIS_URL and API_KEYS are not in the shared ConfigMap', () => {
    for (const name of ['ROLE', 'REDIS_URL', 'API_KEYS']) expect(env).not.toHaveProperty(name);
  });
});

describe('k8s/kustomization.yaml', () => {
  const kustomization = readYaml<Record<string, unknown>>(K8S_DIR, 'kustomization.yaml');

  it('is a Kustomization with only the fields this base uses', () => {
    expect(kustomization.apiVersion).toBe('kustomize.config.k8s.io/v1beta1');
    expect(kustomization.kind).toBe('Kustomization');
    expect(Object.keys(kustomization).sort()).toEqual(['apiVersion', 'images', 'kind', 'resources']);
  });

  it('lists every manifest file in k8s/ exactly once, and nothing else', () => {
    const resources = kustomization.resources as string[];
    expect(new Set(resources).size).toBe(resources.length);
    expect([...resources].sort()).toEqual(k8sManifestFiles());
    for (const resource of resources) expect(existsSync(join(K8S_DIR, resource)), resource).toBe(true);
  });

  it('its image entry names the image the Deployments use', () => {
    const images = kustomization.images as { name: string; newTag?: string }[];
    for (const deployment of deployments) {
      const [name, tag] = must(containerOf(deployment).image, 'image').split(':');
      expect(images.find((i) => i.name === name)?.newTag ?? tag).toBe(tag);
    }
  });

  const kubectl = ['kubectl', '/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((candidate) => {
    try {
      execFileSync(candidate, ['version', '--client'], { stdio: 'ignore', timeout: 10_000 });
      return true;
    } catch {
      return false;
    }
  });

  it.skipIf(!kubectl)('builds with `kubectl kustomize` into the same objects, each valid (when kubectl is installed)', () => {
    const built = parseYamlDocuments(execFileSync(must(kubectl, 'kubectl'), ['kustomize', K8S_DIR], { encoding: 'utf8', timeout: 30_000 }), 'kustomize build');
    const names = (list: unknown[]) => (list as KubeObject[]).map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(names(built)).toEqual(names(objects));
    for (const object of built) expect(validateKubeObject(object)).toEqual([]);
  });
});
