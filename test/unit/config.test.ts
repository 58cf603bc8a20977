import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';

/** The ConfigError loadConfig throws for `env`; fails the test when it accepts the environment. */
function configErrorOf(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig defaults', () => {
  const config = loadConfig({});

  it('listens on port 8000 of every interface', () => {
    expect(config.port).toBe(8000);
    expect(config.host).toBe('0.0.0.0');
  });

  it('uses the embedded store when no Redis is configured', () => {
    expect(config.redis).toBeUndefined();
  });

  it('prefixes Redis keys with a2a:{registry}:', () => {
    expect(config.redisPrefix).toBe('a2a:{registry}:');
  });

  it('accepts bodies of up to 1 MiB', () => {
    expect(config.bodyLimitBytes).toBe(1_048_576);
  });

  it('logs at info, nests JSON up to 64 levels and bounds Redis commands at 1000 ms', () => {
    expect(config.logLevel).toBe('info');
    expect(config.jsonMaxDepth).toBe(64);
    expect(config.redisCommandTimeoutMs).toBe(1000);
  });

  it('answers writes without waiting for Redis replicas', () => {
    expect(config.redisWait).toEqual({ replicas: 0, timeoutMs: 1000 });
    expect(loadConfig({ REDIS_WAIT_REPLICAS: '2', REDIS_WAIT_TIMEOUT_MS: '250' }).redisWait).toEqual({ replicas: 2, timeoutMs: 250 });
  });

  it('runs two costly search walks at once per replica, or as many as SEARCH_COSTLY_CONCURRENCY says (0: no limit)', () => {
    expect(config.searchCostlyConcurrency).toBe(2);
    expect(loadConfig({ SEARCH_COSTLY_CONCURRENCY: '0' }).searchCostlyConcurrency).toBe(0);
    expect(loadConfig({ SEARCH_COSTLY_CONCURRENCY: '8' }).searchCostlyConcurrency).toBe(8);
    for (const value of ['-1', '1.5', 'many']) expect(configErrorOf({ SEARCH_COSTLY_CONCURRENCY: value }).problems[0]).toMatch(/^SEARCH_COSTLY_CONCURRENCY: /);
  });

  it('derives the public URL from the port', () => {
    expect(config.publicUrl).toBe('http://localhost:8000');
    expect(loadConfig({ PORT: '9001' }).publicUrl).toBe('http://localhost:9001');
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', REDIS_PREFIX: '', BODY_LIMIT: '' })).toMatchObject({
      port: 8000,
      redisPrefix: 'a2a:{registry}:',
      bodyLimitBytes: 1_048_576,
    });
  });

  it('returns a frozen configuration', () => {
    expect(Object.isFrozen(config)).toBe(true);
  });
});

describe('loadConfig values', () => {
  it('reads the variables it is given', () => {
    expect(
      loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        REDIS_URL: 'rediss://cache.example.com:6380',
        REDIS_PREFIX: 'reg:{eu}:',
        LOG_LEVEL: 'debug',
        PUBLIC_URL: 'https://registry.example.com//',
      }),
    ).toMatchObject({
      port: 0,
      host: '127.0.0.1',
      redis: { mode: 'single', url: 'rediss://cache.example.com:6380' },
      redisPrefix: 'reg:{eu}:',
      logLevel: 'debug',
      publicUrl: 'https://registry.example.com',
    });
  });

  it.each([
    ['512kb', 524_288],
    ['2mb', 2_097_152],
    ['2MB', 2_097_152],
    ['1gb', 1_073_741_824],
    ['4096', 4096],
    ['100b', 100],
    [' 64 kb ', 65_536],
  ])('reads BODY_LIMIT=%j as %i bytes', (value, bytes) => {
    expect(loadConfig({ BODY_LIMIT: value }).bodyLimitBytes).toBe(bytes);
  });

  it.each(['lots', '1.5mb', '-1', '10tb'])('rejects BODY_LIMIT=%j', (value) => {
    const error = configErrorOf({ BODY_LIMIT: value });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^BODY_LIMIT: /);
  });
});

describe('loadConfig with bad variables', () => {
  it('throws one ConfigError naming every bad variable', () => {
    const error = configErrorOf({
      PORT: 'abc',
      REDIS_URL: 'http://x',
      REDIS_PREFIX: 'a2a:registry:',
      LOG_LEVEL: 'loud',
    });
    expect(error.name).toBe('ConfigError');
    expect(error.problems).toHaveLength(4);
    for (const variable of ['PORT', 'REDIS_URL', 'REDIS_PREFIX', 'LOG_LEVEL']) {
      expect(error.problems.some((problem) => problem.startsWith(`${variable}: `)), variable).toBe(true);
      expect(error.message).toContain(`${variable}: `);
    }
  });

  it('explains what a REDIS_URL and a REDIS_PREFIX must look like', () => {
    const error = configErrorOf({ REDIS_URL: 'http://x', REDIS_PREFIX: 'a2a:registry:' });
    expect(error.problems).toContain('REDIS_URL: expected a redis:// or rediss:// URL');
    expect(error.problems).toContain('REDIS_PREFIX: expected a prefix with a {hash tag}, such as a2a:{registry}:');
  });

  it.each([
    ['PORT', '70000'],
    ['PORT', '80.5'],
    ['REDIS_PREFIX', 'a2a:{}:'],
    ['REDIS_PREFIX', 'a2a {registry}:'],
    ['JSON_MAX_DEPTH', '1'],
    ['PUBLIC_URL', 'not a url'],
  ])('rejects %s=%j', (variable, value) => {
    const error = configErrorOf({ [variable]: value });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(new RegExp(`^${variable}: `));
  });
});

describe('loadConfig across variables', () => {
  it('lists a variable another one requires beside the other bad variables, in one error', () => {
    const error = configErrorOf({ LOG_LEVEL: 'loud', BODY_LIMIT: 'lots', AUTH_MODE: 'apikey' });
    expect(error.problems).toHaveLength(3);
    expect(error.problems).toContain('API_KEYS: is required when AUTH_MODE=apikey');
  });
});

describe('loadConfig TRUST_PROXY', () => {
  it.each([
    ['false', false],
    ['true', true],
    ['2', 2],
    ['loopback, 10.0.0.0/8', 'loopback, 10.0.0.0/8'],
    ['10.1.2.3,fd00::/8,192.168.0.0/255.255.0.0', '10.1.2.3,fd00::/8,192.168.0.0/255.255.0.0'],
  ])('accepts TRUST_PROXY=%j', (value, trustProxy) => {
    expect(loadConfig({ TRUST_PROXY: value }).trustProxy).toEqual(trustProxy);
  });

  it.each(['maybe', 'loopback,10.0.0.0/33', '10.0.0.1/8/8', 'yes'])('rejects TRUST_PROXY=%j with the configuration message', (value) => {
    const error = configErrorOf({ TRUST_PROXY: value, LOG_LEVEL: 'loud' });
    expect(error.problems).toHaveLength(2);
    expect(error.problems.find((problem) => problem.startsWith('TRUST_PROXY: '))).toMatch(/expected true, false, a hop count, or addresses\/subnets/);
  });
});
