/** One serialisation per shared result object, however many sockets write it. */
const bytesOf = new WeakMap<object, Buffer>();

const CLOSE = Buffer.from('}');

/**
 * The text of a graphql-ws `next` message for one subscription id, as graphql-ws itself would
 * write it: `{"id":…,"type":"next","payload":…}`. Built once per subscription.
 */
export function nextFramePrefix(id: string): Buffer {
  return Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`);
}

/**
 * The `next` frame of `result` for the subscription whose {@link nextFramePrefix} is `prefix`.
 * `result` is serialised on its first use only: every socket sharing the result object (one per
 * distinct selection and variables, see `sharedExecution.ts`) shares those bytes, and each frame
 * costs one small copy.
 */
export function nextFrame(prefix: Buffer, result: object): Buffer {
  let json = bytesOf.get(result);
  if (!json) bytesOf.set(result, (json = Buffer.from(JSON.stringify(result))));
  return Buffer.concat([prefix, json, CLOSE], prefix.length + json.length + CLOSE.length);
}
