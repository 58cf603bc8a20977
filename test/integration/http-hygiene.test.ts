import { describe, expect, it } from 'vitest';
import { useRegistry } from '../helpers/use-registry.js';

describe('response hygiene', () => {
  const registry = useRegistry({ ROLE: 'api', CORS_ORIGINS: 'https://app.example.com' });

  it("sends helmet's API security headers on every response, errors included, and none meant for HTML pages", async () => {
    for (const path of ['/health', '/agents', '/agents/missing', '/no-such-route']) {
      const response = await fetch(`${registry.base}${path}`);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('strict-transport-security')).toMatch(/max-age=/);
      expect(response.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('cross-origin-resource-policy')).toBe('same-origin');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      for (const pageOnly of ['x-xss-protection', 'x-dns-prefetch-control', 'x-download-options', 'origin-agent-cluster']) {
        expect(response.headers.get(pageOnly)).toBeNull();
      }
      expect(response.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('echoes a sane X-Request-Id and makes one up otherwise', async () => {
    const echoed = await fetch(`${registry.base}/health`, { headers: { 'x-request-id': 'trace-123' } });
    expect(echoed.headers.get('x-request-id')).toBe('trace-123');
    const made = await fetch(`${registry.base}/health`, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('allows the configured origin only, and exposes the headers clients need', async () => {
    const allowed = await fetch(`${registry.base}/agents`, { headers: { origin: 'https://app.example.com' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(allowed.headers.get('access-control-expose-headers')).toContain('ETag');
    const other = await fetch(`${registry.base}/agents`, { headers: { origin: 'https://evil.example.com' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('compresses large responses for clients that accept gzip', async () => {
    const response = await fetch(`${registry.base}/.well-known/agent-card.json`, { headers: { 'accept-encoding': 'gzip' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-encoding')).toBe('gzip');
  });
});
