import { GraphQLError, type ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createSocketSink } from './socketSink.ts';

/** The four members of a ws socket the sink uses; frames are recorded as text. */
function socket(bufferedAmount = 0) {
  const sent: string[] = [];
  return {
    sent,
    readyState: 1 as 0 | 1 | 2 | 3,
    OPEN: 1 as const,
    bufferedAmount,
    send: (data: unknown) => void sent.push(Buffer.isBuffer(data) ? data.toString('utf8') : String(data)),
  };
}

const options = (s: ReturnType<typeof socket>, extra: { slow?: () => void } = {}) => ({
  socket: s, id: 'op-1', maxBufferedBytes: 1000, formatErrors: (errors: readonly GraphQLError[]) => errors.map((e) => ({ message: e.message, extensions: { code: 'X' } })),
  onSlowConsumer: extra.slow ?? (() => undefined), onFailure: () => undefined,
});

describe('socket sink', () => {
  it('writes a shared result as the next frame graphql-ws would send, at once', () => {
    const s = socket();
    createSocketSink(options(s))({ data: { n: 1 } });
    expect(s.sent).toEqual(['{"id":"op-1","type":"next","payload":{"data":{"n":1}}}']);
  });

  it('keeps the order when a pending result comes before a ready one', async () => {
    const s = socket();
    const sink = createSocketSink(options(s));
    let resolve: (r: ExecutionResult) => void = () => undefined;
    sink(new Promise<ExecutionResult>((r) => (resolve = r)));
    sink({ data: { n: 2 } });
    expect(s.sent).toEqual([]);
    resolve({ data: { n: 1 } });
    await new Promise((r) => setImmediate(r));
    expect(s.sent.map((f) => (JSON.parse(f) as { payload: unknown }).payload)).toEqual([{ data: { n: 1 } }, { data: { n: 2 } }]);
    sink({ data: { n: 3 } }); // nothing pending any more: written at once
    expect(s.sent).toHaveLength(3);
  });

  it('formats errors per subscriber, and drops frames once the socket is not open', () => {
    const s = socket();
    const sink = createSocketSink(options(s));
    sink({ data: null, errors: [new GraphQLError('boom')] });
    expect(JSON.parse(s.sent[0] ?? '')).toEqual({ id: 'op-1', type: 'next', payload: { data: null, errors: [{ message: 'boom', extensions: { code: 'X' } }] } });
    s.readyState = 2;
    sink({ data: { n: 1 } });
    expect(s.sent).toHaveLength(1);
  });

  it('calls the slow-consumer close instead of writing past the send-buffer limit', () => {
    const s = socket(5000);
    let slow = 0;
    createSocketSink(options(s, { slow: () => slow++ }))({ data: { n: 1 } });
    expect(slow).toBe(1);
    expect(s.sent).toEqual([]);
  });

  it('calls beforeWrite just before each frame it writes (the per-tick batching corks there), never for a dropped one', () => {
    const s = socket();
    const order: string[] = [];
    const send = s.send;
    s.send = (data: unknown) => (order.push('send'), send(data));
    const sink = createSocketSink({ ...options(s), beforeWrite: () => order.push('before') });
    sink({ data: { n: 1 } });
    sink({ data: null, errors: [new GraphQLError('boom')] });
    s.readyState = 2;
    sink({ data: { n: 2 } });
    expect(order).toEqual(['before', 'send', 'before', 'send']);
  });
});
