import { describe, expect, it } from 'vitest';
import { foldDocOps, type DocOp } from '../memory/foldDoc.ts';
import { foldInMemory } from '../memory/memoryViews.ts';
import { ORDER_DETAIL_VIEW, orderDetailProjection } from '../projections/order_detail.ts';
import { isCoalescable, planCoalesced } from './coalescePlan.ts';
import { envelope, orderCancelled, orderConfirmed, orderPlaced, stream } from '../../tests/support/projectionFixtures.ts';

const order = (id: string) => stream(`order-${id}`, [orderPlaced(id), orderConfirmed(id, 1000), orderCancelled(id, 1000, true)]);
const docOps = (envs: ReturnType<typeof order>): DocOp[] => envs.flatMap((e) => orderDetailProjection.project(e)).filter(isCoalescable);

describe('coalescing a batch per document', () => {
  it('folds a stream\'s ops into the document that applying them one by one gives', () => {
    const envs = order('a');
    expect(foldDocOps(undefined, docOps(envs))).toEqual(foldInMemory(orderDetailProjection, envs).get(ORDER_DETAIL_VIEW, 'a'));
  });

  it('a redelivered batch over a document that already holds part of it ends where the whole batch ends (guards skip what is there)', () => {
    const envs = order('a');
    const full = foldDocOps(undefined, docOps(envs));
    for (let k = 1; k <= envs.length; k++) {
      const partial = foldDocOps(undefined, docOps(envs.slice(0, k)));
      expect(foldDocOps(partial, docOps(envs))).toEqual(full);
    }
  });

  it('leaves its input alone', () => {
    const current = foldDocOps(undefined, docOps(order('a').slice(0, 1)));
    const copy = structuredClone(current);
    foldDocOps(current, docOps(order('a')));
    expect(current).toEqual(copy);
  });

  it('plans one write per touched document: new ones folded for insertMany, lone ops direct, the rest read-fold-write', () => {
    const later = envelope(orderConfirmed('c', 1000), 'order-c', 2);
    const ops = [...docOps(order('a')), ...docOps(order('b')), ...docOps([later]), ...docOps(order('a').slice(1))];
    const plan = planCoalesced(ops);
    expect(plan.map((w) => [w.kind, w.group.id, w.group.ops.length])).toEqual([
      ['insert', 'a', 5],
      ['insert', 'b', 3],
      ['direct', 'c', 1],
    ]);
    const plan2 = planCoalesced(docOps(order('d').slice(1)));
    expect(plan2.map((w) => w.kind)).toEqual(['fold']);
  });

  it('keeps ops that name no single document out (they are barriers)', () => {
    expect(isCoalescable({ kind: 'update', view: 'v', filter: { orderId: 'a' }, update: { $set: { x: 1 } }, many: true })).toBe(false);
    expect(isCoalescable({ kind: 'update', view: 'v', filter: { _id: { $in: ['a'] } }, update: { $set: { x: 1 } } })).toBe(false);
    expect(isCoalescable({ kind: 'update', view: 'v', filter: { _id: 'a', v: 1 }, update: { $set: { x: 1 } } })).toBe(true);
  });
});
