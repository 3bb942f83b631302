import type { ExecutionResult, GraphQLError } from 'graphql';
import type { WebSocket } from 'ws';
import { nextFrame, nextFramePrefix } from '../subscriptions/nextFrame.ts';
import type { ResultSink } from '../subscriptions/sharedExecution.ts';

/** Options of {@link createSocketSink}. */
export interface SocketSinkOptions {
  socket: Pick<WebSocket, 'readyState' | 'OPEN' | 'bufferedAmount' | 'send'>;
  /** The graphql-ws operation id the frames answer. */
  id: string;
  /** Past this many unsent bytes on the socket, `onSlowConsumer` runs instead of a write. */
  maxBufferedBytes: number;
  /** Errors are formatted per principal (never shared). */
  formatErrors: (errors: readonly GraphQLError[]) => unknown[];
  /** Closes the socket (4408): a consumer that does not read must not grow our memory. */
  onSlowConsumer: () => void;
  /** An execution that rejected (graphql-js resolves with errors instead; kept for safety). */
  onFailure: (err: unknown) => void;
  /** Called before each frame is written: the per-tick write batching corks the socket (`tickWrites.ts`). */
  beforeWrite?: () => void;
}

const isPromise = (x: unknown): x is Promise<unknown> => typeof x === 'object' && x !== null && typeof (x as { then?: unknown }).then === 'function';

/**
 * Writes one subscription's results straight to its socket as graphql-ws `next` frames, in order:
 * no iterator, promise or JSON.stringify per socket for a shared result, only a small copy and the
 * write itself (`nextFrame.ts`). A pending (async) result holds back the ones after it. Frames for a
 * socket that is no longer open are dropped, as graphql-ws's own adapter drops them.
 */
export function createSocketSink(o: SocketSinkOptions): ResultSink {
  const { socket, id } = o;
  const prefix = nextFramePrefix(id);
  let tail: Promise<void> | undefined;
  const write = (result: ExecutionResult): void => {
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > o.maxBufferedBytes) return o.onSlowConsumer();
    o.beforeWrite?.();
    if (result.errors) socket.send(JSON.stringify({ id, type: 'next', payload: { ...result, errors: o.formatErrors(result.errors) } }));
    else socket.send(nextFrame(prefix, result), { binary: false });
  };
  return (result) => {
    if (tail === undefined && !isPromise(result)) return write(result);
    const next = (tail ?? Promise.resolve()).then(() => result).then(write, o.onFailure);
    tail = next;
    void next.then(() => {
      if (tail === next) tail = undefined;
    });
  };
}
