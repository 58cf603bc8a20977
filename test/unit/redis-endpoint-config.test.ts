import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { describeEndpoint, parseAddresses } from '../../src/store/redis-endpoint.js';

/** The problems loadConfig reports for `env`; fails the test when it accepts the environment. */
function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected loadConfig to throw');
}

describe('Redis endpoint configuration', () => {
  it('reads a Sentinel deployment with its passwords and TLS', () => {
    const config = loadConfig({
      REDIS_SENTINELS: '10.0.0.1:26379, sentinel-2.example.com:26380,[::1]:26381',
      REDIS_SENTINEL_MASTER: 'registry',
      REDIS_SENTINEL_PASSWORD: 'sentinel-secret',
      REDIS_USERNAME: 'registry',
      REDIS_PASSWORD: 'data-secret',
      REDIS_TLS: 'true',
    });
    expect(config.redis).toEqual({
      mode: 'sentinel',
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: 'sentinel-2.example.com', port: 26380 },
        { host: '::1', port: 26381 },
      ],
      masterName: 'registry',
      sentinelPassword: 'sentinel-secret',
      username: 'registry',
      password: 'data-secret',
      tls: true,
    });
  });

  it('reads a Cluster deployment', () => {
    expect(loadConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:7000,127.0.0.1:7001', REDIS_PASSWORD: 'p' }).redis).toEqual({
      mode: 'cluster',
      nodes: [
        { host: '127.0.0.1', port: 7000 },
        { host: '127.0.0.1', port: 7001 },
      ],
      username: undefined,
      password: 'p',
      tls: false,
    });
  });

  it('accepts only one way of reaching Redis', () => {
    expect(problemsOf({ REDIS_URL: 'redis://a:6379', REDIS_CLUSTER_NODES: 'b:7000' })).toEqual([
      'REDIS_CLUSTER_NODES: set only one of REDIS_URL, REDIS_SENTINELS, REDIS_CLUSTER_NODES (REDIS_URL and REDIS_CLUSTER_NODES are set)',
    ]);
    expect(problemsOf({ REDIS_SENTINELS: 'a:26379', REDIS_SENTINEL_MASTER: 'm', REDIS_CLUSTER_NODES: 'b:7000' })[0]).toMatch(/^REDIS_CLUSTER_NODES: set only one of/);
  });

  it.each(['host', 'host:0', 'host:70000', 'a:1,,b', 'a:1;b:2', 'http://a:1'])('rejects the address list %j', (value) => {
    expect(problemsOf({ REDIS_SENTINELS: value, REDIS_SENTINEL_MASTER: 'm' })).toEqual([
      'REDIS_SENTINELS: expected comma-separated host:port entries, such as 10.0.0.1:26379,10.0.0.2:26379',
    ]);
  });

  it('needs the master name with Sentinels, and Sentinels for the master name', () => {
    expect(problemsOf({ REDIS_SENTINELS: 'a:26379' })).toEqual(['REDIS_SENTINEL_MASTER: is required with REDIS_SENTINELS: the name the Sentinels monitor the primary under']);
    expect(problemsOf({ REDIS_URL: 'redis://a', REDIS_SENTINEL_MASTER: 'm', REDIS_SENTINEL_PASSWORD: 's' })).toEqual([
      'REDIS_SENTINEL_MASTER: needs REDIS_SENTINELS',
      'REDIS_SENTINEL_PASSWORD: needs REDIS_SENTINELS',
    ]);
  });

  it('keeps credentials and TLS of a single server in its URL', () => {
    expect(problemsOf({ REDIS_URL: 'redis://a', REDIS_USERNAME: 'u', REDIS_TLS: 'true' })).toEqual([
      'REDIS_USERNAME: needs REDIS_SENTINELS or REDIS_CLUSTER_NODES (with REDIS_URL, put it in the URL)',
      'REDIS_TLS: needs REDIS_SENTINELS or REDIS_CLUSTER_NODES (with REDIS_URL, use rediss:// in the URL)',
    ]);
    // The chart's host form sets REDIS_PASSWORD and builds the URL from it.
    expect(loadConfig({ REDIS_URL: 'redis://:secret@a', REDIS_PASSWORD: 'secret' }).redis).toEqual({ mode: 'single', url: 'redis://:secret@a' });
  });

  it('refuses replica confirmation on a Cluster, whose client cannot aim WAIT at the slot owner', () => {
    expect(problemsOf({ REDIS_CLUSTER_NODES: 'a:7000', REDIS_WAIT_REPLICAS: '1' })[0]).toMatch(/^REDIS_WAIT_REPLICAS: is not supported with REDIS_CLUSTER_NODES/);
  });

  it('lets a mirror keep its state in a Sentinel deployment', () => {
    expect(loadConfig({ REDIS_SENTINELS: 'a:26379', REDIS_SENTINEL_MASTER: 'm', FOLLOW_URL: 'https://source.example.com' }).follow?.url).toBe('https://source.example.com');
  });

  it('describes an endpoint for logs without its secrets', () => {
    const endpoint = loadConfig({ REDIS_SENTINELS: 'a:26379,b:26379', REDIS_SENTINEL_MASTER: 'm', REDIS_PASSWORD: 'secret' }).redis;
    expect(endpoint && describeEndpoint(endpoint)).toEqual({ mode: 'sentinel', sentinels: 'a:26379,b:26379', master: 'm' });
    expect(parseAddresses('[2001:db8::1]:6379')).toEqual([{ host: '2001:db8::1', port: 6379 }]);
  });
});
