import { parse } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { describe, expect, it } from 'vitest';
import { createQueue } from './queue.ts';
import { subscribeShared } from './sharedExecution.ts';

describe('subscribeShared', () => {
  it('executes one selection once per payload object, shared by every subscriber with the same query', async () => {
    let resolved = 0;
    const payloads = [{ n: 1 }, { n: 2 }];
    const schema = makeExecutableSchema({
      typeDefs: 'type Query { x: Int } type Tick { n: Int! double: Int! } type Subscription { tick(k: String!): Tick! }',
      resolvers: {
        Tick: { double: (t: { n: number }) => (resolved++, t.n * 2) },
        Subscription: {
          tick: {
            subscribe: async function* () {
              yield* payloads;
            },
            resolve: (p: unknown) => p,
          },
        },
      },
    });
    const run = async (query: string) => {
      const it = await subscribeShared({ schema, document: parse(query), variableValues: {} });
      if (!(Symbol.asyncIterator in it)) throw new Error('expected an iterator');
      const out: unknown[] = [];
      for await (const r of it) out.push(r.data);
      return out;
    };
    const q = 'subscription { tick(k: "a") { n double } }';
    const [a, b] = await Promise.all([run(q), run(q)]);
    expect(a).toEqual([{ tick: { n: 1, double: 2 } }, { tick: { n: 2, double: 4 } }]);
    expect(b).toEqual(a);
    expect(resolved).toBe(2); // not 4: the second subscriber reused the first one's execution
    await run('subscription { tick(k: "a") { double } }'); // another selection executes on its own
    expect(resolved).toBe(4);
  });

  it('executes each event with a fresh context from eventContext, not the operation\'s long-lived one', async () => {
    const seen: unknown[] = [];
    const schema = makeExecutableSchema({
      typeDefs: 'type Query { x: Int } type Tick { n: Int! } type Subscription { tick: Tick! }',
      resolvers: {
        Tick: { n: (t: { n: number }, _: unknown, ctx: { cache: Map<number, number> }) => (seen.push(ctx), ctx.cache.set(t.n, t.n), t.n) },
        Subscription: {
          tick: {
            subscribe: async function* () {
              yield* [{ n: 1 }, { n: 2 }, { n: 3 }];
            },
            resolve: (p: unknown) => p,
          },
        },
      },
    });
    const operation = { cache: new Map<number, number>() };
    const it = await subscribeShared({ schema, document: parse('subscription { tick { n } }'), variableValues: {}, contextValue: operation }, () => ({ cache: new Map<number, number>() }));
    if (!(Symbol.asyncIterator in it)) throw new Error('expected an iterator');
    const out: unknown[] = [];
    for await (const r of it) out.push(r.data);
    expect(out).toEqual([{ tick: { n: 1 } }, { tick: { n: 2 } }, { tick: { n: 3 } }]);
    expect(new Set(seen).size).toBe(3);
    expect(seen).not.toContain(operation);
    expect(operation.cache.size).toBe(0); // nothing accumulated over the operation's life
  });

  it('with a sink and a pushing source, delivers each event synchronously to every sink and yields nothing', async () => {
    let resolved = 0;
    const queues: ReturnType<typeof createQueue<{ n: number }>>[] = [];
    const schema = makeExecutableSchema({
      typeDefs: 'type Query { x: Int } type Tick { n: Int! double: Int! } type Subscription { tick: Tick! }',
      resolvers: {
        Tick: { double: (t: { n: number }) => (resolved++, t.n * 2) },
        Subscription: { tick: { subscribe: () => (queues.push(createQueue(10, () => undefined)), queues.at(-1)?.iterator), resolve: (p: unknown) => p } },
      },
    });
    const got: unknown[][] = [[], []];
    const its = await Promise.all(got.map((into) => subscribeShared({ schema, document: parse('subscription { tick { n double } }'), variableValues: {} }, undefined, (r) => void into.push(r))));
    const payload = { n: 2 };
    for (const q of queues) q.push(payload); // what the hub's broadcast does: one object to every listener
    expect(got).toEqual([[{ data: { tick: { n: 2, double: 4 } } }], [{ data: { tick: { n: 2, double: 4 } } }]]);
    expect(got[0]?.[0]).toBe(got[1]?.[0]); // the very same result object: one serialisation downstream
    expect(resolved).toBe(1);
    const [first] = its;
    if (!first || !(Symbol.asyncIterator in first)) throw new Error('expected an iterator');
    const end = first.next();
    await first.return?.();
    expect(await end).toEqual({ done: true, value: undefined });
  });
});
