import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, type Client } from 'graphql-ws';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadConfig, type AppConfig } from '../../platform/config.ts';
import { createLogger } from '../../platform/logger.ts';
import { forbidden } from '../../query-side/errors.ts';
import { createRequestContext } from '../../query-side/requestContext.ts';
import { resolvers } from '../../query-side/resolvers/index.ts';
import { buildSchema } from '../../query-side/schema.ts';
import { createGraphQLServer, type GraphQLServer } from '../../query-side/server/index.ts';

/** Test-only fields: a recursive type for depth, a paginated list for cost, failing resolvers for error mapping. */
const testTypeDefs = [
  `extend type Query {
     e2eNode: E2eNode
     e2eNodes(first: Int): [E2eNode!]!
     e2eBoom: String
     e2eDenied: String
     e2eWhoami: String!
     e2eSlow(ms: Int!): String!
   }
   type E2eNode { name: String, child: E2eNode }`,
];
const testResolvers = {
  Query: {
    e2eNode: () => ({ name: 'root' }),
    e2eNodes: (_: unknown, args: { first?: number }) => Array.from({ length: Math.min(args.first ?? 1, 3) }, (_, i) => ({ name: `n${i}` })),
    e2eBoom: () => {
      throw new Error('connection to db://secret-password@host refused');
    },
    e2eDenied: () => {
      throw forbidden('operators only');
    },
    e2eSlow: async (_: unknown, args: { ms: number }) => {
      await new Promise((r) => setTimeout(r, args.ms));
      return 'done';
    },
    e2eWhoami: (_: unknown, __: unknown, ctx: { principal: { subject: string; roles: string[] } }) => `${ctx.principal.subject}:${ctx.principal.roles.join(',')}`,
  },
  E2eNode: { child: () => ({ name: 'child' }) },
};

interface Started {
  server: GraphQLServer;
  url: string;
  base: string;
}

async function start(env: Record<string, string>, readiness: () => Promise<Record<string, boolean>> = async () => ({ ok: true }), patch: (c: AppConfig) => AppConfig = (c) => c): Promise<Started> {
  // Rate-limit budgets live in the shared Redis, keyed under the topic prefix: one per server keeps runs apart.
  const config = patch(loadConfig({ ORDERFLOW_HTTP_PORT: '0', LOG_LEVEL: 'silent', ORDERFLOW_TOPIC_PREFIX: `${randomUUID()}.`, ...env }));
  const server = createGraphQLServer({
    config,
    logger: createLogger(config),
    schema: buildSchema([...(Array.isArray(resolvers) ? resolvers : [resolvers]), testResolvers], { extraTypeDefs: testTypeDefs }),
    createContext: createRequestContext,
    readiness,
    stopTimeoutMs: 5_000,
    keepAliveMs: 2_000,
  });
  const { url } = await server.start();
  return { server, url, base: new URL(url).origin };
}

interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: GraphQLBody; headers: Headers }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as GraphQLBody, headers: res.headers };
}

function wsClient(url: string, authorization?: string, onClosed?: (code: number) => void): Client {
  return createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    ...(authorization !== undefined && { connectionParams: { authorization } }),
    on: { closed: (event) => onClosed?.((event as { code: number }).code) },
  });
}

describe('GraphQL server over HTTP and WebSocket (development)', () => {
  let s: Started;
  let ready: Record<string, boolean> = { postgres: true, kafka: true, mongo: true };

  beforeAll(async () => {
    s = await start({ ORDERFLOW_ENV: 'development', ORDERFLOW_MAX_BODY_BYTES: '16384', ORDERFLOW_MAX_QUERY_DEPTH: '10' }, async () => ready);
  });
  afterAll(async () => {
    await s?.server.stop();
  });

  it('listens on the free port it was given (port 0) and says where', () => {
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
    expect(new URL(s.url).port).not.toBe('0');
  });

  it('answers { health { status } }', async () => {
    const r = await post(s.url, { query: '{ health { status version } }' });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ data: { health: { status: 'OK', version: expect.any(String) } } });
    expect(r.headers.get('x-correlation-id')).toBeTruthy();
    expect(r.headers.get('cache-control')).toBe('no-store'); // answers are per principal: no shared cache may keep one
  });

  it('echoes a sane correlation id', async () => {
    const r = await post(s.url, { query: '{ health { status } }' }, { 'x-correlation-id': 'abc-123' });
    expect(r.headers.get('x-correlation-id')).toBe('abc-123');
  });

  it('gives 400 GRAPHQL_PARSE_FAILED for a malformed query', async () => {
    const r = await post(s.url, { query: '{ health { status ' });
    expect(r.status).toBe(400);
    expect(r.json.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_PARSE_FAILED');
    expect(r.headers.get('cache-control')).toBe('no-store');
  });

  it('gives 400 GRAPHQL_VALIDATION_FAILED for an unknown field and 400 BAD_REQUEST for broken JSON', async () => {
    const unknown = await post(s.url, { query: '{ nope }' });
    expect(unknown.status).toBe(400);
    expect(unknown.json.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    const broken = await post(s.url, '{"query": ');
    expect(broken.status).toBe(400);
    expect(broken.json.errors?.[0]?.extensions?.['code']).toBe('BAD_REQUEST');
  });

  it('gives 413 PAYLOAD_TOO_LARGE for a body over ORDERFLOW_MAX_BODY_BYTES', async () => {
    const r = await post(s.url, { query: `{ health { status } } # ${'x'.repeat(20_000)}` });
    expect(r.status).toBe(413);
    expect(r.json.errors?.[0]?.extensions?.['code']).toBe('PAYLOAD_TOO_LARGE');
  });

  it('gives 413 for a chunked body (no content-length) over the limit', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(s.url, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 40; i++) req.write('x'.repeat(1024));
      req.end();
    });
    expect(status).toBe(413);
  });

  it('answers every oversized body still being sent with its 413, on a connection that stays usable', async () => {
    // 24 bodies of 2 MB at once: closing the connection on the unread rest reset about a third of them
    // before the client read its 413 (the abuse bench's "dropped"); the rest is now read and dropped.
    const body = JSON.stringify({ query: '{ health { status } }', variables: { pad: 'x'.repeat(2 * 1024 * 1024) } });
    const codes: string[] = [];
    await Promise.all(Array.from({ length: 8 }, async () => {
      for (let i = 0; i < 8; i++) {
        try {
          const res = await fetch(s.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
          const json = (await res.json()) as GraphQLBody;
          codes.push(`${res.status} ${String(json.errors?.[0]?.extensions?.['code'])}`);
        } catch (err) {
          codes.push(`dropped: ${String(err)}`);
        }
      }
    }));
    expect(codes).toEqual(Array.from({ length: 64 }, () => '413 PAYLOAD_TOO_LARGE'));
    // After the drained refusals the same keep-alive pool still serves a normal request.
    expect((await post(s.url, { query: '{ health { status } }' })).status).toBe(200);
  });

  it('cuts a refused body that goes on past the discard bound', async () => {
    const outcome = await new Promise<string>((resolve) => {
      let status = 0;
      const req = http.request(s.url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(64 * 1024 * 1024) } }, (res) => {
        status = res.statusCode ?? 0;
        res.resume();
      });
      req.on('error', () => resolve(`status ${status}, connection cut`));
      req.on('close', () => resolve(`status ${status}, closed`));
      const chunk = Buffer.alloc(256 * 1024, 120);
      // 24 MiB of the declared 64, past the 16 MiB bound; then the body just stops (never ends), so
      // only the server's cut can close it: without one this resolves "not cut".
      let chunks = 0;
      const pump = (): void => {
        while (chunks < 96) {
          chunks++;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
        setTimeout(() => resolve(`status ${status}, not cut after ${chunks / 4} MiB`), 5_000).unref();
      };
      pump();
    });
    expect(outcome).toMatch(/^status 413, (connection cut|closed)$/);
  });

  it('rejects too deep a query with QUERY_TOO_COMPLEX', async () => {
    const deep = `{ e2eNode { ${'child { '.repeat(10)}name${' }'.repeat(10)} } }`;
    const r = await post(s.url, { query: deep });
    expect(r.status).toBe(400);
    expect(r.json.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', measure: 'depth', limit: 10, actual: 12 });
  });

  it('rejects too many aliases and a cost smuggled in through variables', async () => {
    const aliases = `{ ${Array.from({ length: 21 }, (_, i) => `a${i}: health { status }`).join(' ')} }`;
    expect((await post(s.url, { query: aliases })).json.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', measure: 'aliases' });
    const q = 'query Q($n: Int) { e2eNodes(first: $n) { name } }';
    expect((await post(s.url, { query: q, variables: { n: 2 } })).json.data).toEqual({ e2eNodes: [{ name: 'n0' }, { name: 'n1' }] });
    const big = await post(s.url, { query: q, variables: { n: 5000 } });
    expect(big.status).toBe(400);
    expect(big.json.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', measure: 'cost', actual: 5001 });
  });

  it('rejects a token flood and a directive flood with QUERY_TOO_COMPLEX, over HTTP and graphql-ws', async () => {
    const tokens = `{ health { ${'x '.repeat(5001)}} }`; // the parser stops at token 5001: the fields are never looked at
    const directives = `{ health { ${'status @skip(if: false) '.repeat(51)}} }`;
    const t = await post(s.url, { query: tokens });
    expect(t.status).toBe(400);
    expect(t.json.errors).toEqual([expect.objectContaining({ extensions: { code: 'QUERY_TOO_COMPLEX', retriable: false, measure: 'tokens', limit: 5000, actual: 5001 } })]);
    const d = await post(s.url, { query: directives });
    expect(d.status).toBe(400);
    expect(d.json.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', measure: 'directives', limit: 50, actual: 51 });
    const client = wsClient(s.url);
    for (const [query, measure] of [[tokens, 'tokens'], [directives, 'directives']] as const) {
      const errors = await new Promise<unknown>((resolve) => {
        client.subscribe({ query }, { next: () => undefined, error: resolve, complete: () => resolve('completed') });
      });
      expect(errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'QUERY_TOO_COMPLEX', measure }) })]);
    }
    await client.dispose();
  });

  it('hides unexpected errors as INTERNAL_SERVER_ERROR and keeps app error codes', async () => {
    const r = await post(s.url, { query: '{ e2eBoom e2eDenied health { status } }' });
    expect(r.status).toBe(200);
    expect(r.json.data).toEqual({ e2eBoom: null, e2eDenied: null, health: { status: 'OK' } });
    const text = JSON.stringify(r.json);
    expect(text).not.toContain('secret-password');
    expect(text).not.toContain('stacktrace');
    const byPath = Object.fromEntries((r.json.errors ?? []).map((e) => [String((e as { path?: string[] }).path?.[0]), e]));
    expect(byPath['e2eBoom']).toMatchObject({ message: 'internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(byPath['e2eDenied']).toMatchObject({ message: 'operators only', extensions: { code: 'FORBIDDEN', retriable: false } });
  });

  it('authenticates dev tokens and refuses bad ones with 401 UNAUTHENTICATED', async () => {
    const ok = await post(s.url, { query: '{ e2eWhoami }' }, { authorization: 'Bearer dev:op-1:operator' });
    expect(ok.json.data).toEqual({ e2eWhoami: 'op-1:operator' });
    const anon = await post(s.url, { query: '{ e2eWhoami }' });
    expect(anon.json.data).toEqual({ e2eWhoami: 'anonymous:' });
    const bad = await post(s.url, { query: '{ e2eWhoami }' }, { authorization: 'Bearer dev:x:root' });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toBe('Bearer');
    expect(bad.json.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });

  it('serves GraphiQL for GET /graphql with Accept text/html in development', async () => {
    const res = await fetch(s.url, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain('<script type="module" src="/assets/graphiql.js">');
    expect(html).not.toMatch(/https?:\/\//); // nothing from a CDN: the bundle is served by the API itself
  });

  it('rejects a CSRF-unsafe GET without a preflight header, and serves it with one', async () => {
    const query = encodeURIComponent('{ health { status } }');
    const unsafe = await fetch(`${s.url}?query=${query}`);
    expect(unsafe.status).toBe(400);
    const body = (await unsafe.json()) as GraphQLBody;
    expect(body.errors?.[0]?.message).toMatch(/Cross-Site Request Forgery/);
    expect(body.errors?.[0]?.extensions?.['code']).toBe('BAD_REQUEST');
    const textPlain = await fetch(s.url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: '{ health { status } }' }) });
    expect(textPlain.status).toBe(400);
    const safe = await fetch(`${s.url}?query=${query}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(safe.status).toBe(200);
    expect(await safe.json()).toEqual({ data: { health: { status: 'OK' } } });
  });

  it('answers /healthz with 200', async () => {
    const res = await fetch(`${s.base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz with 200 when every check passes and 503 with the failing one otherwise', async () => {
    ready = { postgres: true, kafka: true, mongo: true };
    const up = await fetch(`${s.base}/readyz`);
    expect(up.status).toBe(200);
    ready = { postgres: true, kafka: false, mongo: true };
    const down = await fetch(`${s.base}/readyz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: 'unavailable', checks: { postgres: true, kafka: false, mongo: true } });
    ready = { postgres: true, kafka: true, mongo: true };
  });

  it('serves Prometheus text on /metrics', async () => {
    const res = await fetch(`${s.base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/# TYPE orderflow_http_requests_total counter/);
    expect(text).toMatch(/orderflow_http_requests_total\{route="\/graphql",method="POST",status="200"\} \d+/);
    expect(text).toMatch(/process_cpu_user_seconds_total/);
  });

  it('answers 404 for unknown paths', async () => {
    expect((await fetch(`${s.base}/nope`)).status).toBe(404);
  });

  it('streams heartbeat over graphql-ws: two messages, then completes on return', async () => {
    const client = wsClient(s.url, 'Bearer dev:alice:customer');
    const got: unknown[] = [];
    for await (const result of client.iterate({ query: 'subscription { heartbeat(intervalMs: 100) }' })) {
      got.push(result);
      if (got.length === 2) break;
    }
    await client.dispose();
    expect(got).toHaveLength(2);
    for (const r of got) expect(r).toEqual({ data: { heartbeat: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) } });
  });

  it('applies the same limits and error codes over graphql-ws', async () => {
    const client = wsClient(s.url);
    const deep = `{ e2eNode { ${'child { '.repeat(10)}name${' }'.repeat(10)} } }`;
    const errors = await new Promise<unknown>((resolve) => {
      client.subscribe({ query: deep }, { next: () => undefined, error: resolve, complete: () => resolve('completed') });
    });
    expect(errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'QUERY_TOO_COMPLEX', measure: 'depth' }) })]);
    const bad = await new Promise<unknown>((resolve) => {
      client.subscribe({ query: 'subscription { heartbeat(intervalMs: 1) }' }, { next: resolve, error: resolve, complete: () => undefined });
    });
    expect(bad).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
    const parse = await new Promise<unknown>((resolve) => {
      client.subscribe({ query: 'subscription {' }, { next: () => undefined, error: resolve, complete: () => undefined });
    });
    expect(parse).toEqual([expect.objectContaining({ extensions: { code: 'GRAPHQL_PARSE_FAILED' } })]);
    await client.dispose();
  });

  it('closes a graphql-ws connection with an invalid token (4403)', async () => {
    let code = 0;
    const client = wsClient(s.url, 'Bearer dev:nobody:root', (c) => (code = c));
    const outcome = await new Promise<unknown>((resolve) => {
      client.subscribe({ query: 'subscription { heartbeat }' }, { next: () => undefined, error: resolve, complete: () => resolve('completed') });
    });
    expect(outcome).toBeDefined();
    expect(code).toBe(4403);
    await client.dispose();
  });
});

describe('GraphQL server limits and shutdown', () => {
  it('rate-limits per principal with 429 RATE_LIMITED and Retry-After', async () => {
    const s = await start({ ORDERFLOW_RATE_LIMIT_PER_MINUTE: '2' });
    try {
      const q = { query: '{ health { status } }' };
      const auth = { authorization: 'Bearer dev:bob:customer' };
      expect((await post(s.url, q, auth)).status).toBe(200);
      expect((await post(s.url, q, auth)).status).toBe(200);
      const limited = await post(s.url, q, auth);
      expect(limited.status).toBe(429);
      const retryAfter = Number(limited.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60); // the rest of the one-minute window
      expect(limited.json.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: retryAfter, retriable: true });
      expect((await post(s.url, q, { authorization: 'Bearer dev:carol:customer' })).status).toBe(200);
    } finally {
      await s.server.stop();
    }
  });

  it('stop() closes subscriptions with 1001, refuses new work, and frees the port', async () => {
    const s = await start({});
    let code = 0;
    const client = wsClient(s.url, undefined, (c) => (code = c));
    const first = new Promise<void>((resolve) => {
      client.subscribe({ query: 'subscription { heartbeat(intervalMs: 100) }' }, { next: () => resolve(), error: () => undefined, complete: () => undefined });
    });
    await first;
    const began = Date.now();
    await s.server.stop();
    expect(Date.now() - began).toBeLessThan(5_000);
    expect(code).toBe(1001);
    await expect(fetch(`${s.base}/healthz`)).rejects.toThrow();
    await s.server.stop(); // idempotent
    await client.dispose();
  });

  it('stop() lets an in-flight request finish', async () => {
    const s = await start({});
    const inFlight = post(s.url, { query: '{ e2eSlow(ms: 400) }' });
    await new Promise((r) => setTimeout(r, 100));
    await s.server.stop();
    const r = await inFlight;
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ data: { e2eSlow: 'done' } });
  });
});

describe('GraphQL server in production with JWKS-verified JWTs', () => {
  let s: Started;
  let jwks: http.Server;
  let privateKey: CryptoKey;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwks = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const port = (jwks.address() as AddressInfo).port;
    // Production accepts only an https JWKS (config unit tests pin that); this local key server is
    // plain http, so the validated production config gets its URL swapped after validation.
    const prod = { ORDERFLOW_ENV: 'production', ORDERFLOW_JWKS_URL: 'https://id.test/jwks.json', ORDERFLOW_JWT_ISSUER: 'https://id.test/', ORDERFLOW_JWT_AUDIENCE: 'orderflow', DATABASE_URL: 'postgres://app:pw@127.0.0.1:1/x', MONGO_URL: 'mongodb://127.0.0.1:1/' };
    s = await start(prod, undefined, (c) => ({ ...c, auth: { ...c.auth, jwksUrl: `http://127.0.0.1:${port}/jwks.json` } }));
  });
  afterAll(async () => {
    await s?.server.stop();
    await new Promise((resolve) => jwks?.close(resolve));
  });

  const sign = (claims: Record<string, unknown>) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer('https://id.test/').setAudience('orderflow').setIssuedAt().setExpirationTime('5m').sign(privateKey);

  it('accepts a JWT signed by a key of the JWKS', async () => {
    const token = await sign({ sub: 'op-9', roles: ['operator'] });
    const r = await post(s.url, { query: '{ e2eWhoami }' }, { authorization: `Bearer ${token}` });
    expect(r.json).toEqual({ data: { e2eWhoami: 'op-9:operator' } });
  });

  it('refuses dev tokens and tampered JWTs with 401', async () => {
    expect((await post(s.url, { query: '{ e2eWhoami }' }, { authorization: 'Bearer dev:op:operator' })).status).toBe(401);
    const token = await sign({ sub: 'op-9', roles: ['customer'] });
    const [h, , sig] = token.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ sub: 'op-9', roles: ['operator'], iss: 'https://id.test/', aud: 'orderflow', exp: 9999999999 })).toString('base64url')}.${sig}`;
    expect((await post(s.url, { query: '{ e2eWhoami }' }, { authorization: `Bearer ${forged}` })).status).toBe(401);
  });

  it('has no landing page and no introspection', async () => {
    const page = await fetch(s.url, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
    const r = await post(s.url, { query: '{ __schema { types { name } } }' });
    expect(r.status).toBe(400);
    expect(r.json.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});
