import '../pages.css';
import { createOrderflowClient, OrderDocument, OrderUpdatedDocument, PlaceOrderDocument, type OrderViewFragment } from '../../clients/ts/src/index.ts';
import { graphqlUrl, readPageConfig } from '../pageConfig.ts';
import { customerOf, describeError, forgetToken, renderSignIn, storedToken } from '../signIn.ts';

// The storefront example: place an order, then watch it move from placed to confirmed or rejected,
// live. The client threads the mutation's consistency token into the next read, so the page sees
// its own order at once; the subscription resumes by itself after a network blip.
const root = document.getElementById('app')!;
const token = storedToken();
const customerId = token && customerOf(token);
if (!token || !customerId) {
  renderSignIn(root, 'dev:alice:customer');
} else {
  const client = createOrderflowClient({ url: graphqlUrl(readPageConfig()), token });
  root.innerHTML = `<div class="card"><h1>orderflow store</h1><p>Signed in as <b class="who"></b></p>
    <form id="order">
      <label>SKU <input name="sku" required value="${new URLSearchParams(location.search).get('sku') ?? 'MUG'}"></label>
      <label>Quantity <input name="quantity" type="number" min="1" value="1"></label>
      <label>Card <select name="card"><option value="tok_visa">Visa (approved)</option><option value="tok_declined">Declined card</option></select></label>
      <button type="submit">Place order</button>
    </form>
    <p id="message" role="alert" class="error"></p></div>
    <div class="card" id="order-card" hidden><h2>Order <code id="order-id"></code></h2>
      <p>Status: <span id="status" class="status"></span> <span id="live" class="badge"></span></p>
      <p id="total"></p><ol id="history"></ol></div>`;
  root.querySelector('.who')!.textContent = customerId;
  const form = root.querySelector<HTMLFormElement>('#order')!;
  const message = root.querySelector<HTMLElement>('#message')!;
  let stopWatching: (() => void) | undefined;

  const show = (order: OrderViewFragment) => {
    const status = order.status.toLowerCase();
    root.querySelector('#order-card')!.removeAttribute('hidden');
    root.querySelector('#order-id')!.textContent = order.id;
    const badge = root.querySelector<HTMLElement>('#status')!;
    badge.textContent = status;
    badge.dataset['status'] = status;
    root.querySelector('#total')!.textContent = `Total: ${(order.total.amountMinor / 100).toFixed(2)} ${order.total.currency}`;
    root.querySelector('#history')!.replaceChildren(...order.statusHistory.map((h) => Object.assign(document.createElement('li'), { textContent: `${h.status.toLowerCase()} at ${h.at}${h.reason ? ` (${h.reason})` : ''}` })));
    if (status === 'rejected') message.textContent = `Your order was rejected: ${order.rejectionReason ?? order.payment.reason ?? 'no reason given'}. Your card was not charged.`;
  };
  const fail = (err: unknown) => {
    const { text, signedOut } = describeError(err);
    if (signedOut) {
      forgetToken();
      renderSignIn(root, 'dev:alice:customer', text);
    } else message.textContent = text;
  };

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    message.textContent = '';
    stopWatching?.();
    const f = new FormData(form);
    const button = form.querySelector('button')!;
    button.disabled = true;
    try {
      const { placeOrder } = await client.mutate(PlaceOrderDocument, {
        input: {
          customerId,
          lines: [{ sku: String(f.get('sku')).trim().toUpperCase(), quantity: Number(f.get('quantity')) }],
          shippingAddress: { line1: '1 Main St', city: 'Lyon', postalCode: '69001', country: 'FR' },
          paymentToken: String(f.get('card')),
        },
      });
      // Read-your-writes: this query waits for the view to hold the order just placed.
      const { order } = await client.query(OrderDocument, { id: placeOrder.id });
      if (order) show(order);
      // The current state first (an empty resume token), then every change after it: the saga can
      // confirm the order between the query above and this subscription going live (p50 ~50 ms since
      // its per-order lanes), and a subscription of future changes only would then never show it.
      const sub = client.subscribe(OrderUpdatedDocument, { orderId: placeOrder.id }, {
        replayCurrentState: true,
        onData: (d) => show(d.orderUpdated.order),
        onState: (s) => (root.querySelector('#live')!.textContent = s === 'live' ? 'live' : s),
        onError: fail,
      });
      stopWatching = () => sub.dispose();
    } catch (err) {
      fail(err);
    } finally {
      button.disabled = false;
    }
  });
}
