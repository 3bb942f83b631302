import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, subscribe, type TestApp } from '../support/app.ts';

/** Bounded sockets: caps per IP, per subject and per socket, token expiry, argument checks, anonymous subscriptions. */
const SECRET = randomBytes(32).toString('hex');
const key = new TextEncoder().encode(SECRET);
const jwt = (sub: string, roles: string[], exp: number | string = '10m') =>
  new SignJWT({ roles }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuer('it').setAudience('orderflow').setIssuedAt().setExpirationTime(exp).sign(key);

/** A raw graphql-transport-ws socket: resolves `opened` with true, or with the refused HTTP status. */
function rawSocket(url: string, token?: string) {
  const socket = new WebSocket(url, 'graphql-transport-ws');
  const closed = new Promise<number>((done) => socket.once('close', (code) => done(code)));
  const opened = new Promise<true | number>((done) => {
    socket.once('open', () => {
      socket.send(JSON.stringify({ type: 'connection_init', payload: token ? { authorization: `Bearer ${token}` } : {} }));
      done(true);
    });
    socket.once('unexpected-response', (_req, res) => done(res.statusCode ?? 0));
    socket.once('error', () => undefined);
  });
  const acked = new Promise<boolean>((done) => {
    socket.on('message', (m) => (JSON.parse(String(m)) as { type: string }).type === 'connection_ack' && done(true));
    socket.once('close', () => done(false));
  });
  return { socket, opened, closed, acked };
}

describe('bounded WebSockets', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp('sockets', undefined, {
      ORDERFLOW_AUTH_MODE: 'jwt', ORDERFLOW_JWT_SECRET: SECRET, ORDERFLOW_JWT_ISSUER: 'it', ORDERFLOW_JWT_AUDIENCE: 'orderflow',
      ORDERFLOW_WS_MAX_SOCKETS_PER_IP: '6', ORDERFLOW_WS_MAX_SOCKETS_PER_SUBJECT: '2', ORDERFLOW_WS_MAX_SUBSCRIPTIONS_PER_SOCKET: '3',
    });
  });
  afterAll(() => app?.stop());

  it('closes a socket with 4401 when its token expires', async () => {
    const s = rawSocket(app.wsUrl, await jwt('short-lived', ['customer'], Math.floor(Date.now() / 1000) + 3));
    expect(await s.acked).toBe(true);
    const began = Date.now();
    expect(await s.closed).toBe(4401);
    expect(Date.now() - began).toBeLessThan(10_000);
  });

  it('caps sockets per subject (4429) and per IP (HTTP 429 before the upgrade)', async () => {
    const token = await jwt('busy', ['customer']);
    const same = [rawSocket(app.wsUrl, token), rawSocket(app.wsUrl, token)];
    expect(await Promise.all(same.map((s) => s.acked))).toEqual([true, true]);
    const third = rawSocket(app.wsUrl, token);
    expect(await third.closed).toBe(4429);
    const others = await Promise.all([1, 2, 3, 4].map(async (i) => rawSocket(app.wsUrl, await jwt(`other-${i}`, ['customer']))));
    expect(await Promise.all(others.map((s) => s.acked))).toEqual([true, true, true, true]);
    const overIp = rawSocket(app.wsUrl, await jwt('one-more', ['customer']));
    expect(await overIp.opened).toBe(429);
    for (const s of [...same, ...others]) s.socket.close();
    await Promise.all([...same, ...others].map((s) => s.closed));
    const afterRelease = rawSocket(app.wsUrl, await jwt('later', ['customer']));
    expect(await afterRelease.acked).toBe(true); // slots are given back on close
    afterRelease.socket.close();
  });

  it('caps subscriptions per socket', async () => {
    const client = app.ws(await jwt('subs', ['customer']));
    const subs = Array.from({ length: 4 }, () => subscribe(client, 'subscription { heartbeat(intervalMs: 200) }', {}));
    await expect.poll(() => subs.filter((s) => s.items.length > 0).length, { timeout: 10_000 }).toBe(3);
    expect(subs.filter((s) => JSON.stringify(s.errors).includes('RATE_LIMITED'))).toHaveLength(1);
    for (const s of subs) s.stop();
  });

  it('anonymous sockets may open only @anonymous subscriptions', async () => {
    const client = app.ws();
    const open = subscribe(client, 'subscription { heartbeat(intervalMs: 200) }', {});
    const closed = subscribe(client, 'subscription { inventoryChanged(skus: ["MUG"]) { token } }', {});
    await open.waitFor(1);
    await expect.poll(() => closed.errors.length, { timeout: 10_000 }).toBe(1);
    expect(JSON.stringify(closed.errors)).toContain('UNAUTHENTICATED');
    open.stop();
  });

  it('validates sku arguments (format and list length) before subscribing or reading', async () => {
    const token = await jwt('skus', ['staff']);
    const bad = [['x'.repeat(10_000)], ['mug; drop'], Array.from({ length: 101 }, (_, i) => `SKU-${i}`), []];
    // One socket and subject each (a socket holds at most 3 subscriptions, a subject 2 sockets here).
    const clients = await Promise.all(bad.map(async (_, i) => app.ws(await jwt(`skus-${i}`, ['staff']))));
    const subs = bad.map((skus, i) => subscribe(clients[i]!, 'subscription($s: [String!]!) { inventoryChanged(skus: $s) { token } }', { s: skus }));
    await expect.poll(() => subs.every((s) => s.errors.length > 0), { timeout: 10_000 }).toBe(true);
    for (const s of subs) expect(JSON.stringify(s.errors)).toContain('BAD_USER_INPUT');
    const read = await app.gql('query($s: [String!]!) { inventory(skus: $s) { sku } }', { s: ['x'.repeat(500)] }, token);
    expect(read.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
