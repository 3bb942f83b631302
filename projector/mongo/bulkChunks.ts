import type { AnyBulkWriteOperation, Document } from 'mongodb';
import { MAX_UPDATES_PER_COMMAND } from './updateBudget.ts';

/**
 * Splits a bulk so each command carries at most {@link MAX_UPDATES_PER_COMMAND} single-document
 * updates (FerretDB 1.x wedges on large update commands: see `updateBudget.ts`). Pure.
 */
export function chunkBulk(ops: readonly AnyBulkWriteOperation<Document>[], maxUpdates = MAX_UPDATES_PER_COMMAND): AnyBulkWriteOperation<Document>[][] {
  const chunks: AnyBulkWriteOperation<Document>[][] = [];
  let chunk: AnyBulkWriteOperation<Document>[] = [];
  let updates = 0;
  for (const op of ops) {
    const single = isSingleUpdate(op);
    if (single && updates >= maxUpdates) {
      chunks.push(chunk);
      chunk = [];
      updates = 0;
    }
    chunk.push(op);
    if (single) updates++;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** Number of single-document update statements in a bulk. */
export function singleUpdates(ops: readonly AnyBulkWriteOperation<Document>[]): number {
  return ops.filter(isSingleUpdate).length;
}

function isSingleUpdate(op: AnyBulkWriteOperation<Document>): boolean {
  return 'updateOne' in op || 'replaceOne' in op || 'deleteOne' in op;
}
