/**
 * The Grafana dashboard and the prometheus-adapter rule, checked statically (shape, PromQL syntax,
 * $__rate_interval, namespace filter) and against the /metrics output of real registry processes
 * (every metric and label a query names must exist).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, deleteKeys, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/processes.js';
import { ensureBuilt, startAll, startRegistryProcess, type RegistryProcess } from './support/processes.js';
import {
  adapterMetricName,
  adapterQuery,
  allPanels,
  dashboardQueries,
  familyOf,
  groupingLabelsOf,
  HPA_METRIC,
  loadAdapterRules,
  loadDashboard,
  mergeExpositions,
  parseExposition,
  parsePromQL,
  rangeFunctionCallsOf,
  selectorsOf,
  substituteVariables,
  variablesOf,
  type Exposition,
  type NamedQuery,
} from './support/queries.js';
import { driveTraffic } from './support/traffic.js';

const dashboard = loadDashboard();
const adapterRules = loadAdapterRules();
const hpaRule = adapterRules.find((rule) => adapterMetricName(rule, 'http_requests_total') === HPA_METRIC);

/** The adapter's metricsQuery filled in as the adapter does for an HPA on the registry's pods. */
const adapterQueries = (): NamedQuery[] =>
  hpaRule
    ? [
        { name: 'adapter: seriesQuery', expr: hpaRule.seriesQuery },
        {
          name: 'adapter: metricsQuery',
          expr: adapterQuery(hpaRule, {
            series: 'http_requests_total',
            labelMatchers: 'namespace="a2a",pod=~"a2a-registry-api-0|a2a-registry-api-1"',
            groupBy: 'pod',
          }),
        },
      ]
    : [];

/** Every query of the dashboard and the adapter, ready for a parser or Prometheus. */
const allQueries = (): NamedQuery[] => [
  ...dashboardQueries(dashboard).map((q) => ({ ...q, expr: substituteVariables(q.expr, { namespace: '.*' }) })),
  ...adapterQueries(),
];

/** Labels Prometheus attaches to every scraped series (target labels), not found in /metrics. */
const TARGET_LABELS = new Set(['namespace', 'pod', 'instance', 'job']);

describe('Grafana dashboard JSON', () => {
  it('has a uid, a title, a schema version and panels laid out on the 24-column grid', () => {
    expect(dashboard.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
    expect(dashboard.title).toBeTruthy();
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.id ?? null).toBeNull();
    const panels = allPanels(dashboard);
    expect(panels.length).toBeGreaterThan(10);
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    const cells = new Set<string>();
    for (const panel of panels) {
      expect(panel.title, `panel ${panel.id}`).toBeTruthy();
      expect(panel.type, panel.title).toBeTruthy();
      const { x, y, w, h } = panel.gridPos;
      expect(x >= 0 && w > 0 && x + w <= 24 && y >= 0 && h > 0, `${panel.title} gridPos`).toBe(true);
      for (let cx = x; cx < x + w; cx++) {
        for (let cy = y; cy < y + h; cy++) {
          expect(cells.has(`${cx},${cy}`), `${panel.title} overlaps another panel`).toBe(false);
          cells.add(`${cx},${cy}`);
        }
      }
    }
  });

  it('gives every data panel Prometheus targets on the ${datasource} variable, with unique refIds', () => {
    for (const panel of allPanels(dashboard).filter((p) => p.type !== 'row')) {
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(panel.targets?.length, `${panel.title} has no targets`).toBeGreaterThan(0);
      const refIds = panel.targets!.map((t) => t.refId);
      expect(new Set(refIds).size, panel.title).toBe(refIds.length);
      for (const target of panel.targets!) {
        expect(target.expr.trim(), `${panel.title} / ${target.refId}`).not.toBe('');
        expect(target.datasource, `${panel.title} / ${target.refId}`).toEqual({ type: 'prometheus', uid: '${datasource}' });
      }
    }
  });

  it('has a prometheus datasource variable and a namespace variable over a registry metric', () => {
    const variables = new Map(dashboard.templating.list.map((v) => [v.name, v]));
    expect(variables.get('datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    const namespace = variables.get('namespace');
    expect(namespace).toMatchObject({ type: 'query', datasource: { type: 'prometheus', uid: '${datasource}' }, includeAll: true, allValue: '.*' });
    const definition = /^label_values\((a2a_\w+), namespace\)$/.exec(namespace?.definition ?? '');
    expect(definition, 'namespace variable: label_values(<a2a metric>, namespace)').not.toBeNull();
    expect((namespace?.query as { query?: string }).query).toBe(namespace?.definition);
    // Only variables the dashboard defines, or Grafana's own, appear in queries.
    for (const { name, expr } of dashboardQueries(dashboard)) {
      for (const variable of variablesOf(expr)) expect(['namespace', 'job', '__rate_interval'], `${name}: $${variable}`).toContain(variable);
    }
  });

  it('has a job variable listing the jobs that export a registry metric, whose All is that list and not .*', () => {
    const job = dashboard.templating.list.find((v) => v.name === 'job');
    expect(job).toMatchObject({ type: 'query', datasource: { type: 'prometheus', uid: '${datasource}' }, includeAll: true, multi: true });
    // Without a custom all value, Grafana sends All as the listed values, (a|b): another application's job is never among them.
    expect(job?.allValue).toBeUndefined();
    expect(job?.definition).toMatch(/^label_values\(a2a_\w+\{namespace=~"\$namespace"\}, job\)$/);
    expect((job?.query as { query?: string }).query).toBe(job?.definition);
    const names = dashboard.templating.list.map((v) => v.name);
    expect(names.indexOf('job')).toBeGreaterThan(names.indexOf('namespace'));
  });
});

describe('PromQL of the dashboard and the adapter rule', () => {
  it('the adapter rule exposes http_requests_per_second per pod with the agreed metricsQuery', () => {
    expect(hpaRule, `no rule in rules.custom turns http_requests_total into ${HPA_METRIC}`).toBeDefined();
    expect(hpaRule!.name).toEqual({ matches: '^(.*)_total$', as: '${1}_per_second' });
    expect(hpaRule!.resources.overrides).toEqual({ namespace: { resource: 'namespace' }, pod: { resource: 'pod' } });
    expect(hpaRule!.metricsQuery).toBe('sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)');
    const [series] = selectorsOf(parsePromQL(hpaRule!.seriesQuery));
    expect(series?.metric).toBe('http_requests_total');
    expect(series?.matchers).toEqual(
      expect.arrayContaining([
        { label: 'namespace', op: '!=', value: '' },
        { label: 'pod', op: '!=', value: '' },
      ]),
    );
  });

  it('every expression parses with no error node', () => {
    const queries = allQueries();
    expect(queries.length).toBeGreaterThan(30);
    const failures = queries.flatMap(({ name, expr }) => parsePromQL(expr).errors.map((error) => `${name}: ${error}\n  ${expr}`));
    expect(failures).toEqual([]);
  });

  it('every rate() and increase() of the dashboard uses $__rate_interval', () => {
    const SENTINEL = '4242s';
    let calls = 0;
    for (const { name, expr } of dashboardQueries(dashboard)) {
      for (const call of rangeFunctionCallsOf(parsePromQL(substituteVariables(expr, { namespace: '.*', rateInterval: SENTINEL })))) {
        calls++;
        expect(call.range, `${name}: ${call.fn}() over ${call.range}`).toBe(SENTINEL);
      }
    }
    expect(calls).toBeGreaterThan(20);
  });

  it('every selector of the dashboard is filtered by namespace=~"$namespace" and job=~"$job" (the registry\'s own series)', () => {
    for (const { name, expr } of dashboardQueries(dashboard)) {
      const parsed = parsePromQL(substituteVariables(expr, { namespace: '__NS__', job: '__JOB__' }));
      for (const selector of selectorsOf(parsed)) {
        expect(selector.matchers, `${name}: ${selector.metric}`).toContainEqual({ label: 'namespace', op: '=~', value: '__NS__' });
        expect(selector.matchers, `${name}: ${selector.metric}`).toContainEqual({ label: 'job', op: '=~', value: '__JOB__' });
      }
    }
  });
});

describe('metrics the queries name exist in /metrics of running registry processes', () => {
  const prefix = uniquePrefix();
  const redis = connect();
  const processes: RegistryProcess[] = [];
  let exposition: Exposition;

  beforeAll(async () => {
    await ensureBuilt();
    processes.push(
      ...(await startAll([
        startRegistryProcess({ role: 'api', redisUrl: redisUrl(), redisPrefix: prefix }),
        startRegistryProcess({ role: 'worker', redisUrl: redisUrl(), redisPrefix: prefix, env: { SWEEP_INTERVAL_SECONDS: '1' } }),
      ])),
    );
    const [api, worker] = processes as [RegistryProcess, RegistryProcess];
    await driveTraffic([api.origin]);
    // The worker's sweep (every second) expires the agent registered with a 1 s TTL.
    await waitFor('the sweep expired the lapsing agent', 10_000, async () =>
      /a2a_agent_expiries_total\{stage="inactive"\} [1-9]/.test(await (await fetch(`${worker.origin}/metrics`)).text()),
    );
    const bodies = await Promise.all(processes.map(async (p) => (await fetch(`${p.origin}/metrics`)).text()));
    exposition = mergeExpositions(bodies.map(parseExposition));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('every metric name (histograms through their family) and every label name', () => {
    const problems: string[] = [];
    const queries = [
      ...allQueries(),
      ...dashboard.templating.list
        .filter((v) => v.type === 'query')
        .map((v) => ({
          name: `variable ${v.name}`,
          expr: substituteVariables(/^label_values\((\w+(?:\{[^}]*\})?), *\w+\)$/.exec(v.definition ?? '')?.[1] ?? '(no metric)', { namespace: '.*' }),
        })),
    ];
    for (const { name, expr } of queries) {
      const parsed = parsePromQL(expr);
      const labelsInQuery = new Set(TARGET_LABELS);
      for (const selector of selectorsOf(parsed)) {
        const family = familyOf(exposition, selector.metric);
        if (!family) {
          problems.push(`${name}: ${selector.metric} is not in /metrics`);
          continue;
        }
        const labels = exposition.samples.get(selector.metric) ?? new Set<string>();
        labels.forEach((label) => labelsInQuery.add(label));
        for (const { label } of selector.matchers) {
          if (!labels.has(label) && !TARGET_LABELS.has(label)) problems.push(`${name}: ${selector.metric} has no label ${label}`);
        }
      }
      for (const label of groupingLabelsOf(parsed)) {
        if (!labelsInQuery.has(label)) problems.push(`${name}: groups by ${label}, which none of its series has`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('exports the families the issue lists, with their labels', () => {
    const expected: Record<string, string[]> = {
      http_requests_total: ['method', 'route', 'status_code'],
      http_request_duration_seconds_bucket: ['method', 'route', 'status_code', 'le'],
      a2a_cache_hits_total: [],
      a2a_cache_misses_total: [],
      a2a_cache_evictions_total: [],
      a2a_cache_entries: [],
      a2a_cache_invalidations_total: [],
      a2a_cache_invalidation_lag_seconds_bucket: ['le'],
      a2a_heartbeats_total: [],
      a2a_agent_expiries_total: ['stage'],
      a2a_sweep_duration_seconds_bucket: ['le'],
      a2a_redis_errors_total: [],
      a2a_agents: ['status'],
      a2a_sweep_queue_jobs: ['state'],
      nodejs_eventloop_lag_seconds: [],
      process_resident_memory_bytes: [],
      nodejs_heap_size_used_bytes: [],
    };
    for (const [name, labels] of Object.entries(expected)) {
      expect(exposition.samples.get(name), name).toBeDefined();
      expect([...exposition.samples.get(name)!].sort(), name).toEqual([...labels].sort());
    }
  });
});
