import '../pages.css';
import { createOrderflowClient } from '../../clients/ts/src/index.ts';
import { graphqlUrl, readPageConfig } from '../pageConfig.ts';
import { describeError, forgetToken, renderSignIn, storedToken } from '../signIn.ts';
import { liveBadge } from './liveBadge.ts';
import { customersPanel } from './customersPanel.ts';
import { metricsPanel } from './metricsPanel.ts';
import { revenuePanel } from './revenuePanel.ts';

// The operations dashboard (operator or staff token): revenue today per currency live over
// subscriptions that resume without a gap, watched customers' orders live, throughput and lag sampled from the API's metrics,
// projection health for operators, and a badge for the connection's state.
const root = document.getElementById('app')!;
const token = storedToken();
if (!token) {
  renderSignIn(root, 'dev:olga:operator');
} else {
  const params = new URLSearchParams(location.search);
  const list = (name: string, fallback: string) => (params.get(name) ?? fallback).split(',').map((c) => c.trim()).filter(Boolean);
  const currencies = list('currencies', 'EUR').map((c) => c.toUpperCase());
  const customers = list('customers', '');
  const client = createOrderflowClient({ url: graphqlUrl(readPageConfig()), token });
  root.innerHTML = `<h1>orderflow dashboard <span id="live-badge" class="badge">connecting</span></h1>
    <p id="message" role="alert" class="error"></p>
    <div class="grid">
      <div class="card"><h2>Today (UTC)</h2><table><thead><tr><th></th><th>Orders</th><th>Cancelled</th><th>Gross</th><th>Net</th></tr></thead><tbody id="revenue"></tbody></table></div>
      <div class="card" id="figures"><h2>Pipeline</h2>
        <p>Throughput <span class="figure" id="throughput">…</span></p>
        <p>End-to-end lag <span class="figure" id="e2e-lag">…</span></p>
        <p>Open dead letters <span class="figure" id="dead-letters">…</span></p><p><small id="pipeline-note"></small></p></div>
    </div>
    <div class="card" id="customers-card"><h2>Watched customers' orders</h2><p><small>Add <code>?customers=a,b</code> to the URL.</small></p>
      <table><thead><tr><th>Placed</th><th>Customer</th><th>Order</th><th>Status</th><th>Total</th></tr></thead><tbody id="customer-orders"></tbody></table></div>
    <div class="card"><h2>Throughput and lag</h2><div id="chart"></div></div>
    <div class="card"><h2>Projections</h2><p id="operator-note"></p>
      <table><thead><tr><th>Projection</th><th>Lag (messages)</th><th>Dead letters</th><th>Rebuild</th></tr></thead><tbody id="projections"></tbody></table></div>
    <div class="card"><h2>Connection</h2><ol id="state-history"></ol></div>`;
  const $ = <T extends HTMLElement>(sel: string) => root.querySelector<T>(sel)!;
  const badge = liveBadge($('#live-badge'), $('#state-history'));
  const fail = (err: unknown) => {
    const { text, signedOut } = describeError(err);
    if (signedOut) {
      forgetToken();
      renderSignIn(root, 'dev:olga:operator', text);
    } else $('#message').textContent = text;
  };
  revenuePanel(client, $<HTMLTableSectionElement>('#revenue'), currencies, { onState: badge.set, onError: fail });
  customersPanel(client, $<HTMLTableSectionElement>('#customer-orders'), customers, { onState: badge.set, onError: fail });
  metricsPanel(client, { chart: $('#chart'), figures: $('#figures'), projections: $<HTMLTableSectionElement>('#projections'), operatorNote: $('#operator-note') });
}
