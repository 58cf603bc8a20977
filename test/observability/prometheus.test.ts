/**
 * A real Prometheus scrapes two API replicas and a worker every second; every dashboard query and
 * the HPA metric query of the prometheus-adapter rule must return data from it. promtool checks
 * each process's /metrics exposition. A second Prometheus scrapes the same processes and another
 * application in the same namespace that exports the generic metric names the dashboard reads:
 * no panel's result may change because of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { waitFor } from '../helpers/processes.js';
import { connect, deleteKeys, redisUrl, uniquePrefix } from '../helpers/redis.js';
import {
  ensureBuilt,
  promtool,
  startAll,
  startPrometheus,
  startRegistryProcess,
  type PromSample,
  type PrometheusProcess,
  type RegistryProcess,
} from './support/processes.js';
import { startNeighbour, type Neighbour } from './support/neighbour.js';
import {
  adapterMetricName,
  adapterQuery,
  dashboardQueries,
  grafanaAllValue,
  HPA_METRIC,
  loadAdapterRules,
  loadDashboard,
  substituteVariables,
} from './support/queries.js';
import { driveTraffic } from './support/traffic.js';

/** The target labels a Kubernetes scrape (ServiceMonitor, kubernetes_sd relabelling) attaches. */
const NAMESPACE = 'a2a-observability-test';
const API_PODS = ['a2a-registry-api-0', 'a2a-registry-api-1'];
const WORKER_POD = 'a2a-registry-worker-0';

/**
 * promtool lint findings about metrics this project does not own are accepted: prom-client's
 * default metrics (nodejs_*, process_*), whose names it chose (nodejs_active_handles_total is a
 * gauge with a _total suffix). Their names come from prom-client itself, see defaultMetricNames.
 * Any finding about another metric (http_*, a2a_*), and any parse error, fails.
 */
async function defaultMetricNames(): Promise<Set<string>> {
  const { Registry, collectDefaultMetrics } = await import('prom-client');
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const names = new Set((await registry.getMetricsAsJSON()).map((metric) => metric.name));
  registry.clear();
  return names;
}

const hasFiniteValue = (samples: PromSample[]) => samples.some((s) => Number.isFinite(Number(s.value[1])));

/** The values of `label` on the series `match` selects: what Grafana's label_values(match, label) lists. */
async function labelValues(prometheus: PrometheusProcess, label: string, match: string): Promise<string[]> {
  const response = await fetch(`${prometheus.url}/api/v1/label/${label}/values?${new URLSearchParams({ 'match[]': match })}`);
  return ((await response.json()) as { data: string[] }).data.sort();
}

/** The dashboard's job variable on a Prometheus, as Grafana fills it with All selected. */
async function allJobs(prometheus: PrometheusProcess, namespace: string): Promise<string> {
  const definition = loadDashboard().templating.list.find((v) => v.name === 'job')?.definition ?? '';
  const [, match = '', label = ''] = /^label_values\((.+), *(\w+)\)$/.exec(definition) ?? [];
  return grafanaAllValue(await labelValues(prometheus, label, substituteVariables(match, { namespace })));
}

/** A result vector in a stable order, for comparing two evaluations. */
const sorted = (samples: PromSample[]) =>
  samples.map((s) => ({ metric: s.metric, value: s.value[1] })).sort((a, b) => JSON.stringify(a.metric).localeCompare(JSON.stringify(b.metric)));

describe('dashboard and HPA queries on a real Prometheus scraping real replicas', () => {
  const prefix = uniquePrefix();
  const redis = connect();
  const processes: RegistryProcess[] = [];
  let apis: RegistryProcess[] = [];
  let worker: RegistryProcess;
  let prometheus: PrometheusProcess | undefined;
  /** A second Prometheus: the same targets, plus another application in the same namespace. */
  let crowded: PrometheusProcess | undefined;
  let neighbour: Neighbour | undefined;
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    const t0 = Date.now();
    await ensureBuilt();
    processes.push(
      ...(await startAll([
        ...API_PODS.map(() => startRegistryProcess({ role: 'api', redisUrl: redisUrl(), redisPrefix: prefix })),
        startRegistryProcess({ role: 'worker', redisUrl: redisUrl(), redisPrefix: prefix, env: { SWEEP_INTERVAL_SECONDS: '1' } }),
      ])),
    );
    apis = processes.slice(0, API_PODS.length);
    worker = processes[API_PODS.length]!;
    timings.registryStart = Date.now() - t0;

    const target = (running: RegistryProcess, pod: string) => ({ targets: [running.target], labels: { namespace: NAMESPACE, pod } });
    const config = {
      global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
      scrape_configs: [
        { job_name: 'a2a-registry-api', static_configs: apis.map((api, i) => target(api, API_PODS[i]!)) },
        { job_name: 'a2a-registry-worker', static_configs: [target(worker, WORKER_POD)] },
      ],
    };
    const t1 = Date.now();
    neighbour = await startNeighbour();
    const crowdedConfig = {
      ...config,
      scrape_configs: [...config.scrape_configs, { job_name: 'other-app', static_configs: [{ targets: [neighbour.target], labels: { namespace: NAMESPACE, pod: 'other-app-0' } }] }],
    };
    [prometheus, crowded] = await Promise.all([
      startPrometheus(stringify(config)),
      // The admin API deletes the neighbour's series for the comparison below.
      startPrometheus(stringify(crowdedConfig), ['--web.enable-admin-api']),
    ]);
    timings.prometheusStart = Date.now() - t1;
    // Traffic goes out only once every target has been scraped, so counters' increases are seen.
    await waitFor('Prometheus scraped all three processes (and the neighbour)', 30_000, async () => {
      const up = await prometheus!.query(`up{namespace="${NAMESPACE}"} == 1`);
      const crowdedUp = await crowded!.query(`up{namespace="${NAMESPACE}"} == 1`);
      return up.length === processes.length && crowdedUp.length === processes.length + 1;
    });
    timings.firstScrapes = Date.now() - t1 - timings.prometheusStart;
    const t2 = Date.now();
    for (let round = 0; round < 3; round++) {
      await driveTraffic(
        apis.map((api) => api.origin),
        round,
      );
      await new Promise((r) => setTimeout(r, 500));
    }
    timings.traffic = Date.now() - t2;
  }, 90_000);

  afterAll(async () => {
    const t3 = Date.now();
    await Promise.all([prometheus?.stop(), crowded?.stop()]);
    await neighbour?.stop();
    await Promise.all(processes.map((p) => p.stop()));
    timings.stop = Date.now() - t3;
    await deleteKeys(redis, prefix);
    redis.disconnect();
    console.info(`observability/prometheus timings (ms): ${JSON.stringify(timings)}`);
  }, 30_000);

  it('promtool check metrics passes on every process (lint findings only about prom-client default metrics)', async () => {
    const notOurs = await defaultMetricNames();
    for (const running of processes) {
      const body = await (await fetch(`${running.origin}/metrics`)).text();
      const { status, output } = promtool(['check', 'metrics'], body);
      // 0: clean; 3: lint findings only (1 would be a parse error).
      expect([0, 3], `${running.role}: promtool exited ${status}\n${output}`).toContain(status);
      const findings = output.split('\n').filter((line) => line.trim() !== '');
      const ours = findings.filter((line) => !notOurs.has(line.split(' ')[0] ?? ''));
      expect(ours, `${running.role}: lint findings about our metrics`).toEqual([]);
      if (status === 3) expect(findings.length).toBeGreaterThan(0);
    }
  });

  it('the namespace variable lists the registry namespace', async () => {
    const definition = loadDashboard().templating.list.find((v) => v.name === 'namespace')?.definition ?? '';
    const metric = /^label_values\((\w+), namespace\)$/.exec(definition)?.[1];
    expect(metric).toBeDefined();
    const response = await fetch(`${prometheus!.url}/api/v1/label/namespace/values?${new URLSearchParams({ 'match[]': metric! })}`);
    expect(((await response.json()) as { data: string[] }).data).toEqual([NAMESPACE]);
  });

  it('every dashboard query returns data, for All namespaces (.*) and for the registry namespace', async () => {
    const started = Date.now();
    const queries = dashboardQueries(loadDashboard());
    for (const namespace of ['.*', NAMESPACE]) {
      const job = await allJobs(prometheus!, namespace);
      expect(job).toBe('(a2a-registry-api|a2a-registry-worker)');
      const exprs = queries.map((q) => ({ ...q, expr: substituteVariables(q.expr, { namespace, job }) }));
      // Rates need two scrapes after the traffic: poll until every query has a finite value.
      // A query Prometheus rejects ends the polling and fails.
      let empty: string[] = [];
      let rejected: string[] = [];
      await waitFor('every query has data', 20_000, async () => {
        const results = await Promise.all(
          exprs.map(async (q) => ({ ...q, samples: await prometheus!.query(q.expr).catch((error: unknown) => String(error)) })),
        );
        rejected = results.flatMap((r) => (typeof r.samples === 'string' ? [`${r.name}: ${r.samples}`] : []));
        empty = results.flatMap((r) => (typeof r.samples !== 'string' && !hasFiniteValue(r.samples) ? [`${r.name}: ${r.expr}`] : []));
        return rejected.length > 0 || empty.length === 0;
      }).catch(() => undefined);
      expect(rejected, `namespace=${namespace}: queries Prometheus rejected`).toEqual([]);
      expect(empty, `namespace=${namespace}: queries without a finite value`).toEqual([]);
    }
    timings.dashboardQueries = Date.now() - started;
  }, 60_000);

  it('every dashboard query is filtered by namespace: another namespace gets no data', async () => {
    for (const q of dashboardQueries(loadDashboard())) {
      const expr = substituteVariables(q.expr, { namespace: 'some-other-namespace' });
      expect(await prometheus!.query(expr), `${q.name}: ${expr}`).toEqual([]);
    }
  });

  it('panels show what the traffic did', { timeout: 30_000 }, async () => {
    const value = async (expr: string) => Number((await prometheus!.query(expr))[0]?.value[1]);
    const ns = `namespace="${NAMESPACE}"`;
    // Three rounds, each: per replica one kept and one lapsing agent (which the sweep expires) and one heartbeat.
    const expected = {
      heartbeatRequests: 3 * API_PODS.length,
      heartbeats: 3 * API_PODS.length,
      active: 3 * API_PODS.length,
      inactive: 3 * API_PODS.length,
      expiries: 3 * API_PODS.length,
      apiReplicas: API_PODS.length,
      workers: 1,
    };
    const observe = async () => ({
      heartbeatRequests: await value(`sum(http_requests_total{${ns}, route="/agents/:id/heartbeat"})`),
      heartbeats: await value(`sum(a2a_heartbeats_total{${ns}})`),
      active: await value(`max(a2a_agents{${ns}, status="active"})`),
      inactive: await value(`max(a2a_agents{${ns}, status="inactive"})`),
      expiries: await value(`sum(a2a_agent_expiries_total{${ns}, stage="inactive"})`),
      apiReplicas: await value(`count(a2a_cache_entries{${ns}} unless on (instance) a2a_sweep_queue_jobs{${ns}})`),
      workers: await value(`count(count by (instance) (a2a_sweep_queue_jobs{${ns}}))`),
    });
    // The last writes and expiries reach Prometheus a scrape (and a sweep) later.
    let seen = await observe();
    await waitFor('Prometheus has the traffic', 20_000, async () => {
      seen = await observe();
      return JSON.stringify(seen) === JSON.stringify(expected);
    }).catch(() => undefined);
    expect(seen).toEqual(expected);
    expect(await value(`sum(a2a_cache_hits_total{${ns}})`)).toBeGreaterThan(0);
    expect(await value(`sum(a2a_cache_invalidations_total{${ns}})`)).toBeGreaterThan(0);
  });

  it('another application in the namespace exporting http_requests_total, process_* and nodejs_* changes no panel', { timeout: 60_000 }, async () => {
    // The job variable lists the registry's jobs only, the neighbour's series notwithstanding.
    const job = await allJobs(crowded!, NAMESPACE);
    expect(job).toBe('(a2a-registry-api|a2a-registry-worker)');
    const queries = dashboardQueries(loadDashboard());
    const scoped = queries.map((q) => ({ ...q, expr: substituteVariables(q.expr, { namespace: NAMESPACE, job }) }));
    // The same queries filtered by namespace only, as the dashboard had them before it read the job.
    const namespaceOnly = queries.map((q) => ({ ...q, expr: substituteVariables(q.expr.replaceAll(', job=~"$job"', ''), { namespace: NAMESPACE }) }));
    // Every query has data on this Prometheus too (rates need two scrapes after the traffic).
    let empty: string[] = [];
    await waitFor('every query has data with the neighbour scraped', 20_000, async () => {
      const results = await Promise.all(scoped.map(async (q) => ({ ...q, samples: await crowded!.query(q.expr) })));
      empty = results.flatMap((r) => (hasFiniteValue(r.samples) ? [] : [r.name]));
      return empty.length === 0;
    }).catch(() => undefined);
    expect(empty).toEqual([]);

    // The neighbour's counters must have a rate by then too (two scrapes of it in the window), or it could not change anything.
    await waitFor('the neighbour has rates', 20_000, async () => (await crowded!.query('sum(rate(http_requests_total{job="other-app"}[1m])) > 0', Date.now() / 1000 - 3)).length > 0);
    // Every query evaluated at one past instant, with the neighbour's series in the database and after
    // they are deleted: what a Prometheus that never saw the neighbour would answer.
    const at = Date.now() / 1000 - 3;
    const evaluate = (list: typeof scoped) => Promise.all(list.map(async (q) => sorted(await crowded!.query(q.expr, at))));
    const [withNeighbour, namespaceOnlyWith] = [await evaluate(scoped), await evaluate(namespaceOnly)];
    const deleted = await fetch(`${crowded!.url}/api/v1/admin/tsdb/delete_series?${new URLSearchParams({ 'match[]': '{job="other-app"}' })}`, { method: 'POST' });
    expect(deleted.status).toBe(204);
    expect(await crowded!.query('count(up{job="other-app"})', at)).toEqual([]);
    const [withoutNeighbour, namespaceOnlyWithout] = [await evaluate(scoped), await evaluate(namespaceOnly)];

    scoped.forEach((q, i) => expect(withNeighbour[i], `${q.name}: ${q.expr}`).toEqual(withoutNeighbour[i]));
    // The neighbour was there and mattered: filtered by namespace only, the panels of each of its metric families changed.
    const changed = namespaceOnly.filter((_, i) => JSON.stringify(namespaceOnlyWith[i]) !== JSON.stringify(namespaceOnlyWithout[i])).map((q) => q.expr);
    for (const family of ['http_requests_total', 'http_request_duration_seconds', 'process_', 'nodejs_']) {
      expect(changed.filter((expr) => expr.includes(family)).length, `namespace-only queries on ${family} the neighbour changed`).toBeGreaterThan(0);
    }
  });

  it('the HPA metric query of the adapter rule gives each API pod its request rate', async () => {
    const rule = loadAdapterRules().find((r) => adapterMetricName(r, 'http_requests_total') === HPA_METRIC);
    expect(rule).toBeDefined();
    // What the adapter sends for `kubectl get --raw .../namespaces/NS/pods/*/http_requests_per_second`.
    const expr = adapterQuery(rule!, {
      series: 'http_requests_total',
      labelMatchers: `namespace="${NAMESPACE}",pod=~"${API_PODS.join('|')}"`,
      groupBy: 'pod',
    });
    const samples = await prometheus!.query(expr);
    expect(samples.map((s) => s.metric.pod).sort()).toEqual([...API_PODS].sort());
    for (const sample of samples) expect(Number(sample.value[1]), `${sample.metric.pod}`).toBeGreaterThan(0);
    // And the adapter's series discovery query finds the registry's series with both labels.
    const series = await fetch(`${prometheus!.url}/api/v1/series?${new URLSearchParams({ 'match[]': rule!.seriesQuery })}`);
    const found = ((await series.json()) as { data: Record<string, string>[] }).data;
    expect(new Set(found.map((s) => s.pod))).toEqual(new Set([...API_PODS, WORKER_POD]));
  });
});
