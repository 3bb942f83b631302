import type { AnyBulkWriteOperation, Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { chunkBulk, singleUpdates } from './applyOps.ts';
import { MAX_UPDATES_PER_COMMAND, UPDATE_BUDGET, withUpdateBudget } from './updateBudget.ts';

const upd = (i: number): AnyBulkWriteOperation<Document> => ({ updateOne: { filter: { _id: String(i) } as Document, update: { $set: { v: 1 } } } });
const ins = (i: number): AnyBulkWriteOperation<Document> => ({ insertOne: { document: { _id: String(i) } as Document } });

describe('regression: FerretDB 1.x wedges on an update command with ~50 matching single-document updates', () => {
  it('chunkBulk cuts a bulk into commands of at most MAX_UPDATES_PER_COMMAND single updates, in order', () => {
    const ops = [...Array.from({ length: 20 }, (_, i) => upd(i)), ins(100), ins(101), upd(20)];
    const chunks = chunkBulk(ops);
    expect(chunks.map(singleUpdates)).toEqual([MAX_UPDATES_PER_COMMAND, MAX_UPDATES_PER_COMMAND, 21 - 2 * MAX_UPDATES_PER_COMMAND]);
    expect(chunks.flat()).toEqual(ops);
    expect(chunkBulk(Array.from({ length: 5000 }, (_, i) => ins(i)))).toHaveLength(1); // inserts do not hold connections
  });

  it('withUpdateBudget never lets more than UPDATE_BUDGET statements run at once', async () => {
    let inFlight = 0;
    let peak = 0;
    await Promise.all(Array.from({ length: 20 }, (_, i) => withUpdateBudget(MAX_UPDATES_PER_COMMAND, async () => {
      inFlight += MAX_UPDATES_PER_COMMAND;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 1 + (i % 3)));
      inFlight -= MAX_UPDATES_PER_COMMAND;
    })));
    expect(peak).toBeLessThanOrEqual(UPDATE_BUDGET);
    expect(peak).toBeGreaterThan(MAX_UPDATES_PER_COMMAND);
    await expect(withUpdateBudget(1, () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(await withUpdateBudget(UPDATE_BUDGET, async () => 'all of it')).toBe('all of it'); // the failure gave its share back
  });
});
