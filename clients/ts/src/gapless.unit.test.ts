import { describe, expect, it } from 'vitest';
import { gaplessSubscription, REPLAY_ALL_TOKEN, type LiveState } from './gapless.ts';
import type { SubscriptionTransport, TransportError, TransportSink } from './transport.ts';

type Msg = { revenueUpdated: { token: string; day: { day: string; net: number } } };

/**
 * A fake server at the client's subscription boundary: a log of changes, each with its token; a
 * subscribe with `since` replays what came after that token, then repeats the `since` message itself
 * (the duplicate a real resume may send), then follows live changes.
 */
function fakeServer() {
  const log: Msg[] = [];
  const sinks = new Set<TransportSink>();
  const requests: Record<string, unknown>[] = [];
  const transport: SubscriptionTransport = {
    subscribe(request, sink) {
      requests.push(request.variables);
      sinks.add(sink);
      sink.connected();
      const since = request.variables['since'];
      if (typeof since === 'string') {
        const from = since === REPLAY_ALL_TOKEN ? 0 : log.findIndex((m) => m.revenueUpdated.token === since);
        const dup = log[from];
        if (dup && since !== REPLAY_ALL_TOKEN) sink.next({ data: dup });
        for (const m of log.slice(since === REPLAY_ALL_TOKEN ? 0 : from + 1)) sink.next({ data: m });
      }
      return () => sinks.delete(sink);
    },
    dispose: () => sinks.clear(),
  };
  return {
    transport,
    requests,
    change(net: number) {
      const m: Msg = { revenueUpdated: { token: `t${log.length + 1}`, day: { day: '2026-11-29', net } } };
      log.push(m);
      for (const s of sinks) s.next({ data: m });
    },
    drop(err: TransportError = { kind: 'connection', code: 1006, fatal: false }) {
      const all = [...sinks];
      sinks.clear();
      all.forEach((s) => s.error(err));
    },
    get open() {
      return sinks.size;
    },
  };
}

/** Timers the test fires by hand, so no real time passes. */
function manualTimers() {
  const pending: { fn: () => void; ms: number }[] = [];
  return {
    pending,
    setTimer: (fn: () => void, ms: number) => {
      const t = { fn, ms };
      pending.push(t);
      return () => void pending.splice(pending.indexOf(t) >>> 0, pending.includes(t) ? 1 : 0);
    },
    fireNext() {
      const t = pending.shift();
      if (!t) throw new Error('no pending timer');
      t.fn();
      return t.ms;
    },
  };
}

function start(server: ReturnType<typeof fakeServer>, timers: ReturnType<typeof manualTimers>, replayCurrentState = false) {
  const received: Msg[] = [];
  const states: LiveState[] = [];
  const errors: string[] = [];
  const sub = gaplessSubscription<Msg>(server.transport, { query: 'subscription { revenueUpdated }', variables: { currency: 'EUR' } }, {
    onData: (d) => received.push(d),
    onState: (s) => states.push(s),
    onError: (e) => errors.push(e.code),
    replayCurrentState,
  }, { policy: { baseMs: 100, maxMs: 1_000 }, scheduler: { sleep: async () => undefined, random: () => 1 }, setTimer: timers.setTimer });
  return { sub, received, states, errors };
}

describe('gapless subscriptions', () => {
  it('resumes after a forced disconnect with the last token as since: every change once, none missing', () => {
    const server = fakeServer();
    const timers = manualTimers();
    const { sub, received, states } = start(server, timers);
    server.change(10);
    server.change(20);
    expect(states).toEqual(['live']);

    server.drop(); // socket gone
    expect(sub.state).toBe('disconnected');
    server.change(30); // missed while away
    server.change(40);

    // Reconnect after backoff with jitter (random 1 → full delay): 100 ms, then 200 ms after a second failure.
    server.drop(); // nothing open: no-op
    expect(timers.fireNext()).toBe(100);
    expect(server.requests.at(-1)).toEqual({ currency: 'EUR', since: 't2' });
    expect(sub.state).toBe('resynced'); // the replay arrived
    server.change(50);
    expect(timers.fireNext()).toBe(1_500); // resynced shows, then live
    expect(sub.state).toBe('live');

    expect(received.map((m) => m.revenueUpdated.token)).toEqual(['t1', 't2', 't3', 't4', 't5']);
    expect(sub.duplicatesDropped).toBe(1); // the server's repeat of t2
    expect(states).toEqual(['live', 'disconnected', 'gap', 'resynced', 'live']);
    expect(sub.lastToken).toBe('t5');
  });

  it('backs off further on each failed reconnect and resets once connected', () => {
    const server = fakeServer();
    const timers = manualTimers();
    const failing: SubscriptionTransport = {
      subscribe: (req, sink) => {
        server.requests.push(req.variables);
        queueMicrotask(() => undefined);
        sink.error({ kind: 'connection', code: 1006, fatal: false });
        return () => undefined;
      },
      dispose: () => undefined,
    };
    const { sub } = start({ ...server, transport: failing }, timers);
    expect(sub.state).toBe('disconnected');
    expect([timers.fireNext(), timers.fireNext(), timers.fireNext(), timers.fireNext(), timers.fireNext()]).toEqual([100, 200, 400, 800, 1_000]);
    sub.dispose();
    expect(sub.state).toBe('closed');
  });

  it('replayCurrentState asks for the whole scope first', () => {
    const server = fakeServer();
    server.change(1);
    const timers = manualTimers();
    const { received } = start(server, timers, true);
    expect(server.requests[0]?.['since']).toBe(REPLAY_ALL_TOKEN);
    expect(received).toHaveLength(1);
  });

  it('a refused connection (4403, e.g. an expired token) closes with FORBIDDEN and does not retry', () => {
    const server = fakeServer();
    const timers = manualTimers();
    const { sub, errors } = start(server, timers);
    server.drop({ kind: 'connection', code: 4403, reason: 'Forbidden', fatal: true });
    expect(sub.state).toBe('closed');
    expect(errors).toEqual(['FORBIDDEN']);
    expect(timers.pending).toHaveLength(0);
  });

  it('retries a retriable GraphQL error, closes on one that is not', () => {
    const server = fakeServer();
    const timers = manualTimers();
    const { sub, errors } = start(server, timers);
    server.drop({ kind: 'graphql', errors: [{ message: 'busy', extensions: { code: 'RATE_LIMITED', retriable: true } }] });
    expect(sub.state).toBe('disconnected');
    timers.fireNext();
    expect(server.open).toBe(1);
    server.drop({ kind: 'graphql', errors: [{ message: 'no', extensions: { code: 'FORBIDDEN', retriable: false } }] });
    expect(sub.state).toBe('closed');
    expect(errors).toEqual(['FORBIDDEN']);
  });
});
