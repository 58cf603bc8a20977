import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parser } from '@prometheus-io/lezer-promql';
import { parse as parseYaml } from 'yaml';

type Tree = ReturnType<typeof parser.parse>;
type SyntaxNode = Tree['topNode'];

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const DASHBOARD_PATH = 'helm/a2a-registry/dashboards/a2a-registry.json';
export const ADAPTER_RULES_PATH = 'k8s/monitoring/prometheus-adapter-rules.yaml';
/** The custom metric the HPA scales on. */
export const HPA_METRIC = 'http_requests_per_second';

export const readRepoFile = (path: string): string => readFileSync(`${REPO_ROOT}${path}`, 'utf8');

// ---------------------------------------------------------------- the dashboard

export interface DashboardTarget {
  refId: string;
  expr: string;
  legendFormat?: string;
  datasource?: { type?: string; uid?: string };
}

export interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type?: string; uid?: string };
  targets?: DashboardTarget[];
  panels?: DashboardPanel[];
}

export interface TemplateVariable {
  name: string;
  type: string;
  query?: unknown;
  definition?: string;
  datasource?: { type?: string; uid?: string };
  includeAll?: boolean;
  allValue?: string;
  multi?: boolean;
}

export interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: DashboardPanel[];
  templating: { list: TemplateVariable[] };
  [key: string]: unknown;
}

export function loadDashboard(): Dashboard {
  return JSON.parse(readRepoFile(DASHBOARD_PATH)) as Dashboard;
}

/** Every panel, rows' nested panels included. */
export function allPanels(dashboard: Dashboard): DashboardPanel[] {
  return dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

/** One PromQL expression of the dashboard or the adapter rule, named for messages. */
export interface NamedQuery {
  /** "Panel title / refId" or "adapter: metricsQuery". */
  name: string;
  /** As written, with its variables or templates. */
  expr: string;
}

export function dashboardQueries(dashboard: Dashboard = loadDashboard()): NamedQuery[] {
  return allPanels(dashboard).flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ name: `${panel.title} / ${target.refId}`, expr: target.expr })),
  );
}

/** The value Grafana's built-in interval variables get in these checks. */
export const RATE_INTERVAL = '1m';

/**
 * Grafana variables of the dashboard's queries, filled in as Grafana would before sending them.
 * `job` defaults to `.*`, which only the checks that send no query to Prometheus should rely on:
 * Grafana's All for it is the list of the registry's jobs ({@link grafanaAllValue}), not `.*`.
 */
export function substituteVariables(expr: string, values: { namespace: string; job?: string; rateInterval?: string }): string {
  const rateInterval = values.rateInterval ?? RATE_INTERVAL;
  const builtins: Record<string, string> = {
    __rate_interval: rateInterval,
    __interval: rateInterval,
    __range: rateInterval,
    namespace: values.namespace,
    job: values.job ?? '.*',
  };
  return expr.replace(/\$\{(\w+)\}|\[\[(\w+)\]\]|\$(\w+)/g, (whole, a?: string, b?: string, c?: string) => {
    const name = a ?? b ?? c ?? '';
    const value = builtins[name];
    if (value === undefined) throw new Error(`Unknown Grafana variable ${whole} in ${expr}`);
    return value;
  });
}

/**
 * What Grafana puts for a multi-value variable in a Prometheus regex matcher when several values (or
 * All without a custom all value) are selected: each value regex-escaped, joined into `(a|b)`.
 */
export function grafanaAllValue(values: string[]): string {
  const escaped = values.map((value) => value.replace(/[\\^$*+?.()|{}[\]]/g, '\\\\$&'));
  return escaped.length === 1 ? (escaped[0] as string) : `(${escaped.join('|')})`;
}

/** The names of the Grafana variables an expression uses. */
export function variablesOf(expr: string): string[] {
  return [...expr.matchAll(/\$\{(\w+)\}|\[\[(\w+)\]\]|\$(\w+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
}

// ---------------------------------------------------------------- the prometheus-adapter rule

export interface AdapterRule {
  seriesQuery: string;
  resources: { overrides?: Record<string, { resource: string }>; template?: string };
  name: { matches: string; as: string };
  metricsQuery: string;
}

/** The custom rules of the adapter values file (`rules.custom`). */
export function loadAdapterRules(): AdapterRule[] {
  const values = parseYaml(readRepoFile(ADAPTER_RULES_PATH)) as { rules?: { custom?: AdapterRule[] } };
  return values.rules?.custom ?? [];
}

/** The custom metric name the adapter derives from a series name (the rule's name.matches / name.as). */
export function adapterMetricName(rule: AdapterRule, series: string): string | undefined {
  const matches = new RegExp(rule.name.matches);
  if (!matches.test(series)) return undefined;
  // The adapter uses Go's regexp.Expand: ${1} is the first group.
  return series.replace(matches, rule.name.as.replace(/\$\{(\d+)\}/g, '$$$1'));
}

/** The adapter's metricsQuery with its Go templates filled in the way the adapter does. */
export function adapterQuery(rule: AdapterRule, fill: { series: string; labelMatchers: string; groupBy: string }): string {
  return rule.metricsQuery
    .replaceAll('<<.Series>>', fill.series)
    .replaceAll('<<.LabelMatchers>>', fill.labelMatchers)
    .replaceAll('<<.GroupBy>>', fill.groupBy);
}

// ---------------------------------------------------------------- PromQL parsing

export interface ParsedQuery {
  tree: Tree;
  expr: string;
  /** Each error node's position and the text around it; empty when the query parses. */
  errors: string[];
}

export function parsePromQL(expr: string): ParsedQuery {
  const tree = parser.parse(expr);
  const errors: string[] = [];
  tree.iterate({
    enter(node) {
      if (node.type.isError) errors.push(`error at ${node.from}: …${expr.slice(Math.max(0, node.from - 20), node.to + 20)}…`);
    },
  });
  const top = tree.topNode;
  if (top.type.name !== 'PromQL' || !top.firstChild) errors.push('no expression');
  return { tree, expr, errors };
}

function nodes(parsed: ParsedQuery, name: string): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  parsed.tree.iterate({
    enter(node) {
      if (node.type.name === name) found.push(node.node);
    },
  });
  return found;
}

const text = (parsed: ParsedQuery, node: SyntaxNode): string => parsed.expr.slice(node.from, node.to);

export interface Selector {
  metric: string;
  matchers: { label: string; op: string; value: string }[];
}

/** Every vector selector: its metric name and its label matchers. */
export function selectorsOf(parsed: ParsedQuery): Selector[] {
  return nodes(parsed, 'VectorSelector').map((selector) => {
    const identifier = selector.getChild('Identifier');
    const matchers = selector
      .getChild('LabelMatchers')
      ?.getChildren('UnquotedLabelMatcher')
      .map((matcher) => {
        const label = matcher.getChild('LabelName');
        const op = matcher.getChild('MatchOp');
        const value = matcher.getChild('StringLiteral');
        return {
          label: label ? text(parsed, label) : '',
          op: op ? text(parsed, op) : '',
          value: value ? (JSON.parse(text(parsed, value)) as string) : '',
        };
      });
    return { metric: identifier ? text(parsed, identifier) : '', matchers: matchers ?? [] };
  });
}

/** Label names in `by (...)` / `without (...)` / `on (...)` / `ignoring (...)` clauses. */
export function groupingLabelsOf(parsed: ParsedQuery): string[] {
  return nodes(parsed, 'GroupingLabels').flatMap((group) => group.getChildren('LabelName').map((label) => text(parsed, label)));
}

/** Every call of a function over a range (rate, increase, irate) with the range it was given. */
export function rangeFunctionCallsOf(parsed: ParsedQuery): { fn: string; range: string }[] {
  return nodes(parsed, 'FunctionCall').flatMap((call) => {
    const fn = call.getChild('FunctionIdentifier');
    const name = fn ? text(parsed, fn) : '';
    if (!['rate', 'increase', 'irate'].includes(name)) return [];
    const matrix = call.getChild('FunctionCallBody')?.getChild('MatrixSelector');
    const range = matrix?.getChild('DurationExpr');
    return [{ fn: name, range: range ? text(parsed, range) : '(no range selector)' }];
  });
}

// ---------------------------------------------------------------- the exposition format

export interface Exposition {
  /** Family name → its # TYPE. */
  types: Map<string, string>;
  /** Sample name → the label names seen on its samples. */
  samples: Map<string, Set<string>>;
}

/** Reads the family types and sample names (with their label names) of a Prometheus text exposition. */
export function parseExposition(body: string): Exposition {
  const types = new Map<string, string>();
  const samples = new Map<string, Set<string>>();
  for (const line of body.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      types.set(type[1] as string, type[2] as string);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s/.exec(line);
    if (!sample) throw new Error(`Unreadable exposition line: ${line}`);
    const labels = samples.get(sample[1] as string) ?? new Set<string>();
    for (const m of (sample[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="(?:[^"\\]|\\.)*"/g)) labels.add(m[1] as string);
    samples.set(sample[1] as string, labels);
  }
  return { types, samples };
}

/** Merges expositions of several processes (an API replica and a worker export different series). */
export function mergeExpositions(expositions: Exposition[]): Exposition {
  const types = new Map<string, string>();
  const samples = new Map<string, Set<string>>();
  for (const e of expositions) {
    for (const [name, type] of e.types) types.set(name, type);
    for (const [name, labels] of e.samples) samples.set(name, new Set([...(samples.get(name) ?? []), ...labels]));
  }
  return { types, samples };
}

/**
 * The family a referenced name belongs to, or undefined when the exposition has none: the name
 * itself, or for `_bucket`/`_sum`/`_count` the histogram (or summary) it is a part of.
 */
export function familyOf(exposition: Exposition, name: string): { family: string; type: string } | undefined {
  const own = exposition.types.get(name);
  if (own) return { family: name, type: own };
  const part = /^(.*)_(bucket|sum|count)$/.exec(name);
  if (!part) return undefined;
  const base = part[1] as string;
  const type = exposition.types.get(base);
  if (type === 'histogram' || (type === 'summary' && part[2] !== 'bucket')) return { family: base, type };
  return undefined;
}
