import { describe, expect, it } from 'vitest';
import type { CommandHandler } from '../../handlers/commandHandler.ts';
import { createTestWorld } from '../../../tests/support/sagaTestWorld.ts';
import { createOrderSkus, loadSagaContext } from './loadContext.ts';

/** A handler reading the in-memory world, counting the rounds of reads (a read starts a round when none is open). */
function worldHandler(w: ReturnType<typeof createTestWorld>) {
  let open = 0;
  let rounds = 0;
  const handler: Pick<CommandHandler, 'load'> = {
    async load(decider, id) {
      if (open++ === 0) rounds++;
      await Promise.resolve();
      const streamId = decider.streamId(id);
      const state = streamId.startsWith('order-') ? w.order(id) : streamId.startsWith('payment-') ? w.payment(id) : w.inventory(id);
      open--;
      return { state: state as never, version: 1, position: '0.0' };
    },
  };
  return { handler: handler as CommandHandler, rounds: () => rounds };
}

describe('loadSagaContext', () => {
  it('reads an order\'s remembered SKUs beside the order: one round instead of two, the same context', async () => {
    const w = createTestWorld({ stock: { A: 5, B: 5 }, prices: { A: 100, B: 200 } });
    w.place('o1', [{ sku: 'A', quantity: 1 }, { sku: 'B', quantity: 2 }], 'tok_visa');
    await w.drain();
    const now = new Date('2025-03-01T10:00:01.000Z');
    const cold = worldHandler(w);
    const known = createOrderSkus();
    const first = await loadSagaContext(cold.handler, 'o1', now, 30_000, known);
    expect(cold.rounds()).toBe(2); // the order first, then its SKUs
    expect(known.get('o1')).toEqual(['A', 'B']);
    const warm = worldHandler(w);
    const second = await loadSagaContext(warm.handler, 'o1', now, 30_000, known);
    expect(warm.rounds()).toBe(1);
    expect(second).toEqual(first);
    expect(second.reservations).toEqual({ A: 'held', B: 'held' });
    expect(second).toEqual(await loadSagaContext(worldHandler(w).handler, 'o1', now, 30_000));
  });

  it('remembers nothing for an order it cannot find, and forgets the oldest past its bound', async () => {
    const w = createTestWorld({ stock: {}, prices: {} });
    const known = createOrderSkus(2);
    await loadSagaContext(worldHandler(w).handler, 'ghost', new Date(), 30_000, known);
    expect(known.get('ghost')).toBeUndefined();
    known.remember('a', ['X']);
    known.remember('b', ['Y']);
    known.remember('c', ['Z']);
    expect([known.get('a'), known.get('b'), known.get('c')]).toEqual([undefined, ['Y'], ['Z']]);
  });
});
