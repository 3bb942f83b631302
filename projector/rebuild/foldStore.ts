import type { Db, Document, Filter } from 'mongodb';
import type { FoldStore, StreamingFold } from '../memory/streamingFold.ts';
import { physicalName } from '../mongo/generations.ts';
import type { Projection } from '../projections/index.ts';

/** The streaming fold's reads of a generation's documents, by `_id` or by one field's equality. */
export function mongoFoldStore(db: Db, generation: number): FoldStore {
  const coll = (view: string) => db.collection<Document>(physicalName(view, generation));
  return {
    findById: (view, id) => coll(view).findOne({ _id: id } as Filter<Document>),
    findBy: (view, field, value) => coll(view).find({ [field]: value } as Filter<Document>).toArray(),
    async newest(view, q, accept, limit) {
      const out: Document[] = [];
      const cursor = coll(view).find(q.filter as Filter<Document>).sort(q.sort).batchSize(Math.max(limit * 4, 16));
      try {
        for await (const doc of cursor) {
          if (accept(doc)) out.push(doc);
          if (out.length >= limit) break;
        }
      } finally {
        await cursor.close();
      }
      return out;
    },
  };
}

/**
 * Seeds a resumed fold's filter with what a killed run already wrote to `generation`: one scan of
 * each view reading only `_id` and the indexed fields (the ones the fold looks documents up by).
 * @returns documents scanned.
 */
export async function rememberGeneration(fold: StreamingFold, db: Db, projection: Projection, generation: number): Promise<number> {
  let n = 0;
  for (const v of projection.views) {
    const fields = Object.fromEntries(v.indexes.map((i) => [Object.keys(i.key)[0] ?? '_id', 1]));
    for await (const doc of db.collection<Document>(physicalName(v.name, generation)).find({}, { projection: { _id: 1, ...fields }, batchSize: 10_000 })) {
      fold.remember(v.name, doc);
      n++;
    }
  }
  return n;
}
