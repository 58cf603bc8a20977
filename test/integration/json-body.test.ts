import express from 'express';
import { connect, type AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorMiddleware } from '../../src/http/error-middleware.js';
import { jsonBody } from '../../src/http/json-body.js';
import { createLogger } from '../../src/logger.js';

const LIMIT = 1024;

/** The middleware alone, over a real HTTP connection: each answer echoes what it parsed. */
describe('jsonBody', () => {
  let base = '';
  let close: () => Promise<void>;

  beforeAll(async () => {
    const app = express();
    app.post('/echo', jsonBody({ limitBytes: LIMIT, maxDepth: 4 }), (req, res) => {
      res.json({ body: req.body ?? null, raw: req.rawBody ?? null });
    });
    app.use(errorMiddleware(createLogger('silent', false)));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((resolve) => server.close(() => resolve()));
  });
  afterAll(() => close());

  const post = (body: string | Buffer | ReadableStream | undefined, headers: Record<string, string> = {}) =>
    fetch(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, ...(body instanceof ReadableStream ? { duplex: 'half' } : {}) } as RequestInit);
  const errorCode = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

  it('parses the body and keeps its exact text, without a byte order mark', async () => {
    const text = '{ "a" : [1, 2],\n "b": "é" }';
    const res = await post(`\uFEFF${text}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ body: { a: [1, 2], b: 'é' }, raw: text });
  });

  it.each([
    ['gzip', gzipSync],
    ['x-gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ])('decompresses a %s body', async (encoding, compress) => {
    const text = JSON.stringify({ encoded: encoding });
    const res = await post(compress(Buffer.from(text)), { 'content-encoding': encoding });
    expect(await res.json()).toEqual({ body: { encoded: encoding }, raw: text });
  });

  it('reads a chunked body that arrives in pieces', async () => {
    const pieces = ['{"pie', 'ces":', ' [1, 2, 3]}'];
    const stream = new ReadableStream({
      start(controller) {
        for (const piece of pieces) controller.enqueue(new TextEncoder().encode(piece));
        controller.close();
      },
    });
    expect(await (await post(stream)).json()).toEqual({ body: { pieces: [1, 2, 3] }, raw: pieces.join('') });
  });

  it('reads an empty body as {}, and answers 415 to a request without one', async () => {
    expect(await (await post('')).json()).toEqual({ body: {}, raw: '' });
    // Neither Content-Length nor Transfer-Encoding: fetch always sends one, so the request is written by hand.
    const { port } = new URL(base);
    const socket = connect(Number(port), '127.0.0.1');
    socket.end('POST /echo HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n');
    let answer = '';
    for await (const chunk of socket) answer += String(chunk);
    expect(answer).toMatch(/^HTTP\/1\.1 415/);
    expect(answer).toContain('the request has none');
  });

  it('refuses a body over the limit with 413, by its Content-Length, by what arrives, and once decompressed', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(LIMIT) });
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    for (const res of [await post(big), await post(stream), await post(gzipSync(Buffer.from(big)), { 'content-encoding': 'gzip' })]) {
      expect(res.status).toBe(413);
      expect(await errorCode(res)).toBe('payload_too_large');
    }
    // The refused bodies were drained: the same connections go on serving.
    expect((await post('{"after":true}')).status).toBe(200);
  });

  it('answers 415 to an encoding it does not know and to a type or charset that is not JSON in UTF-8', async () => {
    const refused = [
      await post('{}', { 'content-encoding': 'zip-zap' }),
      await post('{}', { 'content-encoding': 'constructor' }),
      await post('{}', { 'content-encoding': '__proto__' }),
      await post('{}', { 'content-type': 'text/plain' }),
      await post('{}', { 'content-type': 'application/json; charset=latin1' }),
    ];
    for (const res of refused) {
      expect(res.status).toBe(415);
      expect(await errorCode(res)).toBe('unsupported_media_type');
    }
  });

  it('answers 400 to a body that is not what its Content-Encoding says', async () => {
    const res = await post('{"plain": true}', { 'content-encoding': 'gzip' });
    expect(res.status).toBe(400);
    expect(await errorCode(res)).toBe('bad_request');
  });

  it.each(['1', '"text"', 'null', '{"a":', '{"a":1}}', '{]'])('answers 400 invalid_json to %j', async (text) => {
    const res = await post(text);
    expect(res.status).toBe(400);
    expect(await errorCode(res)).toBe('invalid_json');
  });

  it('answers 400 json_too_deep to a body nested deeper than the limit', async () => {
    expect((await post('[[[[1]]]]')).status).toBe(200);
    const res = await post('[[[[[1]]]]]');
    expect(res.status).toBe(400);
    expect(await errorCode(res)).toBe('json_too_deep');
  });
});
