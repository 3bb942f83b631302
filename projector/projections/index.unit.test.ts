import { describe, expect, it } from 'vitest';
import { EVENT_FAMILIES, isEventType } from '../../contracts/events/index.ts';
import { INVENTORY_EVENTS } from './inventory.ts';
import { ORDER_EVENTS } from './orderEvents.ts';
import { projectionByName, projections } from './index.ts';
import { envelope } from '../../tests/support/projectionFixtures.ts';

describe('projection registry', () => {
  it('has unique names and disjoint view names', () => {
    const names = projections.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    const views = projections.flatMap((p) => p.views.map((v) => v.name));
    expect(new Set(views).size).toBe(views.length);
    expect(projectionByName('inventory')?.name).toBe('inventory');
    expect(projectionByName('nope')).toBeUndefined();
  });

  it('handles only known event types, and bucket specs point at owned views', () => {
    for (const p of projections) {
      expect(p.handles.every(isEventType)).toBe(true);
      if (p.buckets) {
        const own = p.views.map((v) => v.name);
        expect(own).toContain(p.buckets.view);
        expect(own).toContain(p.buckets.entriesView);
      }
      for (const v of p.views) expect(new Set(v.indexes.map((i) => i.name)).size).toBe(v.indexes.length);
    }
  });

  it('returns no ops for events a projection does not handle', () => {
    const e = envelope({ type: 'ProductDefined', data: { sku: 'A', name: 'A', unitPrice: { amountMinor: 1, currency: 'EUR' } } }, 'product-A', 1);
    for (const p of projections) expect(p.project(e)).toEqual([]);
  });

  // The exact-next guard stalls a doc forever if one event of its stream produces no write.
  it('per-stream projections handle EVERY event type of the stream they fold', () => {
    expect([...ORDER_EVENTS].sort()).toEqual(Object.keys(EVENT_FAMILIES.orders).sort());
    expect([...INVENTORY_EVENTS].sort()).toEqual(Object.keys(EVENT_FAMILIES.inventory).sort());
  });
});
