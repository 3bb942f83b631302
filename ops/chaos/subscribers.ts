import type { Client } from 'graphql-ws';
import { wsClient } from './graphql.ts';

/** What one subscriber last saw of an order. */
export interface SeenOrder {
  status: string;
  updatedAt: string;
}

/** A `customerOrdersChanged` subscriber that drops its socket now and then and resumes with `since`. */
export interface Subscriber {
  customerId: string;
  seen: Map<string, SeenOrder>;
  resumes: number;
  errors: string[];
  stop(): Promise<void>;
}

/** Disposing a client whose socket already closed rejects with the CloseEvent: nothing to handle. */
function quietly(p: void | Promise<void>): void {
  void Promise.resolve(p).catch(() => undefined);
}

const QUERY = 'subscription($c: String!, $s: String) { customerOrdersChanged(customerId: $c, since: $s) { token order { id status updatedAt } } }';

interface Update {
  customerOrdersChanged: { token: string; order: { id: string; status: string; updatedAt: string } };
}

/**
 * Subscribes to one customer's orders and keeps the latest state of each. Every `resubscribeMs`
 * (and whenever the socket fails, e.g. its serve replica was killed) it closes the socket and opens
 * a new one with `since` = the last token, so every update after a resume must still arrive.
 */
export function startSubscriber(url: string, customerId: string, resubscribeMs: number): Subscriber {
  const seen = new Map<string, SeenOrder>();
  const errors: string[] = [];
  let token: string | undefined;
  let stopped = false;
  let client: Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  const sub: Subscriber = { customerId, seen, resumes: 0, errors, stop: async () => undefined };

  function open(): void {
    if (stopped) return;
    const c = wsClient(url, `dev:${customerId}:customer`);
    client = c;
    const retry = (why: string) => {
      if (stopped || client !== c) return;
      if (errors.length < 50) errors.push(why);
      quietly(c.dispose());
      clearTimeout(timer);
      timer = setTimeout(resume, 500);
    };
    c.subscribe<Update>({ query: QUERY, variables: { c: customerId, s: token } }, {
      next: (v) => {
        const u = v.data?.customerOrdersChanged;
        if (!u) {
          retry(JSON.stringify(v.errors ?? 'no data').slice(0, 200));
          return;
        }
        token = u.token;
        seen.set(u.order.id, { status: u.order.status, updatedAt: u.order.updatedAt });
      },
      error: (e) => retry(e instanceof Error ? e.message : `socket closed ${String((e as { code?: unknown }).code ?? '')}`),
      complete: () => retry('completed'),
    });
    clearTimeout(timer);
    timer = setTimeout(resume, resubscribeMs);
  }

  function resume(): void {
    if (stopped) return;
    const old = client;
    client = undefined;
    if (old) quietly(old.dispose());
    sub.resumes++;
    open();
  }

  open();
  sub.stop = async () => {
    stopped = true;
    clearTimeout(timer);
    await client?.dispose();
  };
  return sub;
}
