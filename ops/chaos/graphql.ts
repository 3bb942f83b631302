import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** One GraphQL answer (data, errors with their codes), or a transport failure. */
export interface GqlAnswer<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string; retriable?: boolean } }[];
  /** Set when no GraphQL answer came back (refused, reset, timed out, non-JSON). */
  transport?: string;
}

/** A tiny GraphQL-over-HTTP client for the chaos load (dev tokens, bounded by a timeout). */
export async function gql<T>(url: string, token: string, query: string, variables: Record<string, unknown>, timeoutMs = 10_000): Promise<GqlAnswer<T>> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    try {
      return JSON.parse(text) as GqlAnswer<T>;
    } catch {
      return { transport: `HTTP ${res.status}: ${text.slice(0, 120)}` };
    }
  } catch (err) {
    return { transport: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
}

/** A graphql-ws client over `ws` that never reconnects by itself (the chaos subscribers resume explicitly). */
export function wsClient(url: string, token: string): Client {
  return createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, lazy: true, retryAttempts: 0, connectionParams: { authorization: `Bearer ${token}` } });
}
