import { describe, expect, it } from 'vitest';
import { createPayloadPipeline, type ReadBatch } from './payloadPipeline.ts';

/** A read the test finishes by hand: what it asked for, and how to answer it. */
interface PendingRead {
  source: string;
  ids: readonly string[];
  resolve(result: string[]): void;
  reject(err: Error): void;
}

/** A pipeline whose reads wait for the test, and whose deliveries are recorded. */
function harness(opts: { maxInFlight?: number; maxBatch?: number; retryMs?: number } = {}) {
  const reads: PendingRead[] = [];
  const delivered: ReadBatch<string[]>[] = [];
  const errors: unknown[] = [];
  const pipeline = createPayloadPipeline<string[]>({
    read: (source, ids) => new Promise((resolve, reject) => reads.push({ source, ids, resolve, reject })),
    deliver: (b) => delivered.push(b),
    onError: (err) => errors.push(err),
    ...opts,
  });
  return { pipeline, reads, delivered, errors };
}

/** Two turns of the loop: a finished read's callback, then the pump it schedules. */
const tick = async () => {
  await new Promise<void>((r) => setImmediate(r));
  await new Promise<void>((r) => setImmediate(r));
};
const cause = (n: number) => ({ correlationId: `c${n}`, traceparent: `00-${'a'.repeat(32)}-${String(n).padStart(16, '0')}-01` });

describe('payload pipeline', () => {
  it('coalesces the changes of one document that arrive before its read into one read, from the earliest arrival, with every cause', async () => {
    const h = harness();
    h.pipeline.enqueue('rows', ['o1', 'o2'], 10, '2026-01-01T00:00:00.010Z', [cause(1)]);
    h.pipeline.enqueue('rows', ['o1'], 5, '2026-01-01T00:00:00.005Z', [cause(2)]);
    h.pipeline.enqueue('rows', ['o1'], 20, '2026-01-01T00:00:00.020Z', [cause(1)]);
    expect(h.reads).toHaveLength(0); // read on the next tick, so a whole fetch coalesces
    await tick();
    expect(h.reads.map((r) => [r.source, r.ids])).toEqual([['rows', ['o1', 'o2']]]);
    h.reads[0]?.resolve(['r1', 'r2']);
    await tick();
    expect(h.delivered).toHaveLength(1);
    expect(h.delivered[0]).toMatchObject({ source: 'rows', ids: ['o1', 'o2'], result: ['r1', 'r2'], receivedAt: 5, at: '2026-01-01T00:00:00.005Z' });
    expect(h.delivered[0]?.causes.map((c) => c.correlationId)).toEqual(['c1', 'c2']);
  });

  it('never reads one document twice at once: a change during its read is read once that read finished, so its deliveries stay in order', async () => {
    const h = harness();
    h.pipeline.enqueue('rows', ['o1'], 1, 'a', []);
    await tick();
    expect(h.reads).toHaveLength(1);
    // Two more changes of o1 while the first read is out, and one of o2.
    h.pipeline.enqueue('rows', ['o1'], 2, 'b', []);
    h.pipeline.enqueue('rows', ['o1', 'o2'], 3, 'c', []);
    await tick();
    expect(h.reads.map((r) => r.ids)).toEqual([['o1'], ['o2']]);
    expect(h.pipeline.backlog()).toEqual({ waiting: 1, inFlight: 2 });
    h.reads[1]?.resolve(['o2@1']);
    await tick();
    expect(h.reads).toHaveLength(2); // o1 still being read: its next read waits
    h.reads[0]?.resolve(['o1@1']);
    await tick();
    expect(h.reads.map((r) => r.ids)).toEqual([['o1'], ['o2'], ['o1']]);
    h.reads[2]?.resolve(['o1@3']);
    await tick();
    expect(h.delivered.map((d) => d.result[0])).toEqual(['o2@1', 'o1@1', 'o1@3']);
    expect(h.pipeline.backlog()).toEqual({ waiting: 0, inFlight: 0 });
  });

  it('keeps at most maxInFlight reads out, each of one source and at most maxBatch documents', async () => {
    const h = harness({ maxInFlight: 2, maxBatch: 2 });
    h.pipeline.enqueue('rows', ['o1', 'o2', 'o3'], 1, 'a', []);
    h.pipeline.enqueue('stock', ['s1'], 1, 'a', []);
    await tick();
    expect(h.reads.map((r) => [r.source, r.ids])).toEqual([['rows', ['o1', 'o2']], ['rows', ['o3']]]);
    h.reads[0]?.resolve([]);
    await tick();
    expect(h.reads.map((r) => [r.source, r.ids])).toEqual([['rows', ['o1', 'o2']], ['rows', ['o3']], ['stock', ['s1']]]);
  });

  it('reads the documents of a failed read again, and delivers them then', async () => {
    const h = harness({ retryMs: 1 });
    h.pipeline.enqueue('rows', ['o1'], 1, 'a', [cause(1)]);
    await tick();
    h.reads[0]?.reject(new Error('store down'));
    for (let i = 0; i < 1000 && h.reads.length < 2; i++) await tick();
    expect(h.errors).toHaveLength(1);
    expect(h.reads.map((r) => r.ids)).toEqual([['o1'], ['o1']]);
    h.reads[1]?.resolve(['o1@1']);
    await tick();
    expect(h.delivered).toHaveLength(1);
    expect(h.delivered[0]?.causes).toEqual([cause(1)]);
  });

  it('after stop delivers nothing and starts no read', async () => {
    const h = harness();
    h.pipeline.enqueue('rows', ['o1'], 1, 'a', []);
    await tick();
    h.pipeline.enqueue('rows', ['o2'], 1, 'a', []);
    h.pipeline.stop();
    h.reads[0]?.resolve(['o1@1']);
    await tick();
    await tick();
    expect(h.reads).toHaveLength(1);
    expect(h.delivered).toEqual([]);
  });
});
