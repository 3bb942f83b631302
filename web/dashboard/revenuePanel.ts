import type { OrderflowClient, RevenueDayViewFragment } from '../../clients/ts/src/index.ts';
import { RevenueUpdatedDocument, type LiveState } from '../../clients/ts/src/index.ts';

const money = (minor: number, currency: string) => `${(minor / 100).toLocaleString('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${currency}`;

/**
 * Orders and revenue today, one row per currency, kept current by `revenueUpdated` (replaying the
 * current state first, so the page needs no separate query and a reconnect misses nothing).
 */
export function revenuePanel(client: OrderflowClient, table: HTMLTableSectionElement, currencies: readonly string[], hooks: { onState(source: string, s: LiveState): void; onError(e: unknown): void }) {
  const today = () => new Date().toISOString().slice(0, 10);
  for (const currency of currencies) {
    const row = table.insertRow();
    row.id = `revenue-${currency}`;
    row.innerHTML = `<th>${currency}</th><td class="orders">0</td><td class="cancelled">0</td><td class="gross">${money(0, currency)}</td><td class="net">${money(0, currency)}</td>`;
    const show = (day: RevenueDayViewFragment) => {
      if (day.day !== today()) return;
      row.querySelector('.orders')!.textContent = String(day.orderCount);
      row.querySelector('.cancelled')!.textContent = String(day.cancelledCount);
      row.querySelector('.gross')!.textContent = money(day.gross, currency);
      row.querySelector('.net')!.textContent = money(day.net, currency);
      row.dataset['orders'] = String(day.orderCount);
      row.dataset['cancelled'] = String(day.cancelledCount);
      row.dataset['net'] = String(day.net);
    };
    client.subscribe(RevenueUpdatedDocument, { currency }, {
      replayCurrentState: true,
      onData: (d) => show(d.revenueUpdated.day),
      onState: (s) => hooks.onState(`revenue:${currency}`, s),
      onError: hooks.onError,
    });
  }
}
