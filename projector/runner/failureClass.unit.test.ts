import { MongoBulkWriteError, MongoNetworkError, MongoNetworkTimeoutError, MongoServerError, MongoServerSelectionError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { StopRequested } from '../../messaging/index.ts';
import { ProjectionError } from '../projections/index.ts';
import { classifyProjectorFailure } from './failureClass.ts';

const serverError = (code: number, labels: string[] = []) => new MongoServerError({ code, errmsg: `code ${code}`, errorLabels: labels });

describe('classifyProjectorFailure', () => {
  it('waits out a store that is down, slow or failing over', () => {
    expect(classifyProjectorFailure(new MongoNetworkError('connect ECONNREFUSED 127.0.0.1:27017'))).toBe('transient');
    expect(classifyProjectorFailure(new MongoNetworkTimeoutError('timed out'))).toBe('transient');
    expect(classifyProjectorFailure(new MongoServerSelectionError('Server selection timed out after 1000 ms', { error: undefined } as never))).toBe('transient');
    expect(classifyProjectorFailure(serverError(10107))).toBe('transient'); // NotWritablePrimary
    expect(classifyProjectorFailure(serverError(189))).toBe('transient'); // PrimarySteppedDown
    expect(classifyProjectorFailure(serverError(50))).toBe('transient'); // MaxTimeMSExpired
    expect(classifyProjectorFailure(serverError(112))).toBe('transient'); // WriteConflict
    expect(classifyProjectorFailure(serverError(2, ['RetryableWriteError']))).toBe('transient');
    expect(classifyProjectorFailure(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe('transient');
    expect(classifyProjectorFailure(new StopRequested())).toBe('transient');
  });

  it('gives a bad event or a refused document a bounded number of tries', () => {
    expect(classifyProjectorFailure(new ProjectionError('INVALID_TIMESTAMP', 'not a timestamp'))).toBe('limited');
    expect(classifyProjectorFailure(new Error('projection bug'))).toBe('limited');
    expect(classifyProjectorFailure(serverError(2))).toBe('limited'); // BadValue
    expect(classifyProjectorFailure(new TypeError("Cannot read properties of undefined (reading 'sku')"))).toBe('limited');
  });

  it('classifies a bulk by its failed statements', () => {
    const bulk = (codes: number[]) => new MongoBulkWriteError(
      { message: 'bulk', code: codes[0] ?? 1, writeErrors: codes.map((code, index) => ({ index, code, errmsg: 'x' })) } as never,
      { insertedCount: 0, matchedCount: 0, modifiedCount: 0, deletedCount: 0, upsertedCount: 0, insertedIds: {}, upsertedIds: {} } as never,
    );
    expect(classifyProjectorFailure(bulk([10107, 112]))).toBe('transient');
    expect(classifyProjectorFailure(bulk([10107, 2]))).toBe('limited');
  });
});
