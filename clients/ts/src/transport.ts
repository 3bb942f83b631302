import type { GraphQLErrorPayload } from './errors.ts';

/** What a subscription transport reports about one operation. */
export interface TransportSink {
  /** The socket carrying the operation was acknowledged by the server (the operation is being registered). */
  connected(): void;
  next(result: { data?: unknown; errors?: readonly GraphQLErrorPayload[] }): void;
  error(err: TransportError): void;
  complete(): void;
}

/** Why an operation stopped: the server refused it, or the socket went away. */
export type TransportError =
  | { kind: 'graphql'; errors: readonly GraphQLErrorPayload[] }
  | { kind: 'connection'; code?: number; reason?: string; fatal: boolean };

/** The client's boundary to a subscription protocol (graphql-ws by default; a fake in unit tests). */
export interface SubscriptionTransport {
  /** Starts one operation; the returned function stops it. */
  subscribe(request: { query: string; variables: Record<string, unknown> }, sink: TransportSink): () => void;
  dispose(): void | Promise<void>;
}

/** The answer of one HTTP GraphQL request as far as the client needs it. */
export interface HttpResponseLike {
  status: number;
  text(): Promise<string>;
}

/** `fetch` as the client calls it (the global fetch fits; unit tests pass a fake). */
export type FetchLike = (url: string, init: { method: 'POST'; headers: Record<string, string>; body: string; signal?: AbortSignal }) => Promise<HttpResponseLike>;
