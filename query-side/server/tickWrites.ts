import type { Writable } from 'node:stream';

/** The part of a Node writable (the TCP socket under a WebSocket) that holds and releases writes. */
export type Corkable = Pick<Writable, 'cork' | 'uncork'>;

/**
 * Batches writes per socket and tick: the first frame written to a socket corks it, and every corked
 * socket is uncorked at the end of the tick (`process.nextTick`), so the frames one socket gets in a
 * row (every document of one read on its key, several operations of one client, pending results
 * resolving together) leave in one `writev` instead of one write each. At most `maxHeld` sockets are
 * held at once: corking one more first releases the others, so a broadcast to 10,000 sockets does
 * not hold the first socket's frame until the last one's is built (the client side would then start
 * reading only at the end). The hub hands each socket all of a key's payloads in a row, which is what
 * makes the bound cheap. `ws` corks around its own two-part frames; Node counts nested corks, so
 * ours is the outer one. One scheduled callback per tick, not per socket.
 * @param maxHeld @default 32
 */
export function createTickWrites(maxHeld = 32): (stream: Corkable) => void {
  let held = new Set<Corkable>();
  let scheduled = false;
  const release = () => {
    const now = held;
    held = new Set();
    for (const s of now) s.uncork();
  };
  return (stream) => {
    if (held.has(stream)) return;
    if (held.size >= maxHeld) release();
    if (!scheduled) {
      scheduled = true;
      process.nextTick(() => {
        scheduled = false;
        release();
      });
    }
    held.add(stream);
    stream.cork();
  };
}
