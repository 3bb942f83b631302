import { CustomerOrdersChangedDocument, type LiveState, type OrderflowClient, type OrderRowFragment } from '../../clients/ts/src/index.ts';

const SHOWN = 20;

/**
 * The latest orders of the customers named in `?customers=a,b`, each row kept current by
 * `customerOrdersChanged` (status moving from placed to confirmed, rejected, cancelled…).
 */
export function customersPanel(client: OrderflowClient, body: HTMLTableSectionElement, customers: readonly string[], hooks: { onState(source: string, s: LiveState): void; onError(e: unknown): void }) {
  const rows = new Map<string, OrderRowFragment>();
  const render = () => {
    const latest = [...rows.values()].sort((a, b) => b.placedAt.localeCompare(a.placedAt)).slice(0, SHOWN);
    body.replaceChildren(...latest.map((o) => {
      const tr = document.createElement('tr');
      tr.dataset['orderId'] = o.id;
      tr.dataset['status'] = o.status.toLowerCase();
      for (const text of [o.placedAt.slice(11, 19), o.customerId, o.id.slice(0, 8), o.status.toLowerCase(), `${(o.total.amountMinor / 100).toFixed(2)} ${o.total.currency}`]) tr.insertCell().textContent = text;
      return tr;
    }));
  };
  for (const customerId of customers) {
    client.subscribe(CustomerOrdersChangedDocument, { customerId }, {
      replayCurrentState: true,
      onData: (d) => {
        rows.set(d.customerOrdersChanged.order.id, d.customerOrdersChanged.order);
        render();
      },
      onState: (s) => hooks.onState(`customer:${customerId}`, s),
      onError: hooks.onError,
    });
  }
}
