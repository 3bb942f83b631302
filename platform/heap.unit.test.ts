import { afterEach, describe, expect, it } from 'vitest';
import { heapAfterGc } from './heap.ts';

describe('heapAfterGc', () => {
  const original = Error.prepareStackTrace;
  afterEach(() => {
    Error.prepareStackTrace = original;
  });

  it('formats a stack trace before it samples, so a lazily parsed source map is in every sample, not only in those after the first error', () => {
    let formatted = 0;
    Error.prepareStackTrace = (err, frames) => {
      formatted++;
      return original ? original(err, frames) : String(err);
    };
    const sample = heapAfterGc();
    expect(formatted).toBeGreaterThanOrEqual(1);
    expect(sample.heapUsedBytes).toBeGreaterThan(0);
    expect(sample.rssBytes).toBeGreaterThanOrEqual(sample.heapUsedBytes);
  });
});
