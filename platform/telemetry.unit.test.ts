import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { contextFromTraceparent, counter, currentTraceparent, distinctValues, histogram, linksTo, metrics, parentContext, traceIdOf, withSpan } from './telemetry.ts';

const TP = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('traceparent helpers', () => {
  it('round-trips a W3C traceparent through a context', () => {
    expect(currentTraceparent(contextFromTraceparent(TP))).toBe(TP);
  });

  it('gives null with no active span and ignores malformed or all-zero traceparents', () => {
    expect(currentTraceparent(ROOT_CONTEXT)).toBeNull();
    for (const bad of ['garbage', '00-00000000000000000000000000000000-b7ad6b7169203331-01', '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01', undefined, null]) {
      expect(contextFromTraceparent(bad)).toBe(ROOT_CONTEXT);
    }
  });

  it('keeps the active context across awaits (AsyncLocalStorage context manager)', async () => {
    const seen = await context.with(contextFromTraceparent(TP), async () => {
      await new Promise((r) => setTimeout(r, 5));
      return currentTraceparent();
    });
    expect(seen).toBe(TP);
    expect(currentTraceparent()).toBeNull();
  });

  it('withSpan runs inside the remote parent (same trace id) and rethrows', async () => {
    const inner = await context.with(contextFromTraceparent(TP), () => withSpan('x', { a: 1 }, async () => currentTraceparent()));
    expect(traceIdOf(inner)).toBe('0af7651916cd43dd8448eb211c80319c');
    await expect(withSpan('y', {}, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });
});

describe('span link helpers', () => {
  const OTHER = '00-1af7651916cd43dd8448eb211c80319c-c7ad6b7169203331-01';

  it('links each distinct valid traceparent once, bounded, skipping bad ones', () => {
    const links = linksTo([TP, null, 'garbage', OTHER, TP, undefined]);
    expect(links.map((l) => l.context.spanId)).toEqual(['b7ad6b7169203331', 'c7ad6b7169203331']);
    expect(links[0]?.context).toMatchObject({ traceId: '0af7651916cd43dd8448eb211c80319c', isRemote: true });
    expect(linksTo([TP, OTHER], 1)).toHaveLength(1);
  });

  it('parentContext keeps an active span and falls back to the traceparent only without one', () => {
    expect(currentTraceparent(parentContext(TP, ROOT_CONTEXT))).toBe(TP);
    expect(currentTraceparent(parentContext(OTHER, contextFromTraceparent(TP)))).toBe(TP);
    expect(parentContext(null, ROOT_CONTEXT)).toBe(ROOT_CONTEXT);
  });

  it('distinctValues drops empties and repeats, bounded', () => {
    expect(distinctValues(['a', '', null, 'b', 'a', undefined, 'c'], 2)).toEqual(['a', 'b']);
  });
});

describe('metric helpers', () => {
  it('get-or-create on the shared registry, refusing a type clash', async () => {
    const a = counter({ name: 'test_things_total', help: 'things', labelNames: ['kind'] });
    const b = counter({ name: 'test_things_total', help: 'things', labelNames: ['kind'] });
    expect(a).toBe(b);
    a.inc({ kind: 'x' });
    expect(await metrics.metrics()).toMatch(/test_things_total\{kind="x"\} 1/);
    expect(() => histogram({ name: 'test_things_total', help: 'clash' })).toThrow(/another type/);
  });
});
