import { randomBytes } from 'node:crypto';

/**
 * Serialises each distinct subscription payload once for every socket that receives it.
 *
 * graphql-ws stringifies every `next` message per socket (its `id` differs). Fan-out already
 * executes once per distinct (selection, variables) and hands every socket the same result object
 * (`sharedExecution.ts`), so here `mark` swaps that result for a tiny placeholder the library
 * stringifies cheaply, and `expand` splices the one shared UTF-8 Buffer of the result into the
 * frame just before the socket writes it. With 10,000 sockets on one key, one JSON.stringify and
 * one UTF-8 encoding per change instead of 10,000.
 */
export interface SharedFrames {
  /** A stand-in payload for `result` (an object, as graphql-ws requires); counts one pending send. */
  mark(result: object): object;
  /** The frame to write: `data` with a placeholder replaced by the shared bytes, else `data` itself. */
  expand(data: string): string | Buffer;
  /** Serialised payloads still awaiting a send (tests, metrics). */
  pending(): number;
}

interface Entry {
  token: string;
  json: Buffer;
  marker: object;
  refs: number;
  at: number;
  dropping: boolean;
}

const CLOSE = Buffer.from('}');
const PAYLOAD_KEY = '"payload":';

/**
 * Creates the shared-frame cache. An entry lives until each send it was marked for has expanded
 * it; sends that never happen (the socket closed in between, which graphql-ws's adapter skips)
 * are forgotten `maxAgeMs` after the entry's last mark.
 * @param maxAgeMs @default 60_000
 */
export function createSharedFrames(maxAgeMs = 60_000, now: () => number = Date.now): SharedFrames {
  // A random prefix per process: a placeholder can never be confused with a client's own data,
  // which never reaches the frame the library stringifies (only the placeholder does).
  const prefix = `of-frame-${randomBytes(8).toString('hex')}-`;
  const quoted = `"${prefix}`;
  const byResult = new WeakMap<object, Entry>();
  const byToken = new Map<string, Entry>();
  let next = 0;
  let sweptAt = now();

  const sweep = (t: number): void => {
    if (t - sweptAt < maxAgeMs) return;
    sweptAt = t;
    for (const [token, e] of byToken) if (t - e.at > maxAgeMs) byToken.delete(token);
  };

  return {
    mark(result) {
      const t = now();
      sweep(t);
      let e = byResult.get(result);
      if (!e || !byToken.has(e.token)) {
        const token = `${prefix}${next++}`;
        e = { token, json: Buffer.from(JSON.stringify(result)), marker: Object.freeze({ toJSON: () => token }), refs: 0, at: t, dropping: false };
        byResult.set(result, e);
        byToken.set(token, e);
      }
      e.refs++;
      // Age counts from the last mark: an entry still being marked (a result object served again)
      // is never swept between a mark and its send, which would write the placeholder itself.
      e.at = t;
      return e.marker;
    },
    expand(data) {
      // graphql-ws writes `{"id":…,"type":"next","payload":<payload>}`: the payload comes last.
      const at = data.lastIndexOf(quoted);
      if (at < 0 || !data.endsWith('"}') || !data.startsWith(PAYLOAD_KEY, at - PAYLOAD_KEY.length)) return data;
      const token = data.slice(at + 1, -2);
      const e = byToken.get(token);
      if (!e) return data;
      // One change reaches every socket within the same turn of the event loop, marks and expands
      // interleaved: the entry is dropped only once a whole turn passed with nothing pending.
      if (--e.refs <= 0 && !e.dropping) {
        e.dropping = true;
        setImmediate(() => {
          e.dropping = false;
          if (e.refs <= 0 && byToken.get(token) === e) byToken.delete(token);
        });
      }
      return Buffer.concat([Buffer.from(data.slice(0, at)), e.json, CLOSE]);
    },
    pending: () => byToken.size,
  };
}
