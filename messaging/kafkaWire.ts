import net from 'node:net';

/**
 * The few pieces of the Kafka wire protocol that {@link fenceGroupMembers} needs and kafkajs does not
 * expose (it can leave a group only as the member itself): size-prefixed frames, request header v1,
 * INT16/INT32/STRING fields. Non-flexible versions only. See https://kafka.apache.org/protocol.
 */

/** Encodes a protocol STRING (INT16 length, then UTF-8 bytes). */
export function kafkaString(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  const length = Buffer.alloc(2);
  length.writeInt16BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** A whole request frame: size, header v1 (api key, version, correlation id, client id), body. */
export function requestFrame(apiKey: number, apiVersion: number, correlationId: number, clientId: string, body: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(apiVersion, 2);
  header.writeInt32BE(correlationId, 4);
  const payload = Buffer.concat([header, kafkaString(clientId), body]);
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return Buffer.concat([size, payload]);
}

/** Reads a response body field by field. @throws RangeError past the end. */
export class WireReader {
  private offset = 0;
  constructor(private readonly buf: Buffer) {}
  int8(): number {
    const v = this.buf.readInt8(this.offset);
    this.offset += 1;
    return v;
  }
  int16(): number {
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }
  int32(): number {
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  /** STRING or NULLABLE_STRING (length -1 reads as null). */
  string(): string | null {
    const length = this.int16();
    if (length < 0) return null;
    if (this.offset + length > this.buf.length) throw new RangeError('string past the end of the response');
    const v = this.buf.toString('utf8', this.offset, this.offset + length);
    this.offset += length;
    return v;
  }
}

/** One connection to a broker answering requests in order. */
export interface WireConnection {
  /** Sends one request; resolves with its response body (after the correlation id). */
  request(apiKey: number, apiVersion: number, body: Buffer): Promise<WireReader>;
  close(): void;
}

/**
 * Opens a connection to `host:port`; every request and the connect itself are bounded by
 * `timeoutMs` (the socket is destroyed past it).
 * @throws Error when the broker does not answer or closes the connection.
 */
export async function openWire(host: string, port: number, clientId: string, timeoutMs: number): Promise<WireConnection> {
  const socket = net.connect({ host, port });
  socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`kafka ${host}:${port}: no answer within ${timeoutMs} ms`)));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let buffered = Buffer.alloc(0);
  let correlation = 0;
  const waiting = new Map<number, { resolve(r: WireReader): void; reject(e: Error): void }>();
  const failAll = (err: Error) => {
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  socket.on('error', failAll);
  socket.on('close', () => failAll(new Error(`kafka ${host}:${port} closed the connection`)));
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
      const frame = buffered.subarray(4, 4 + buffered.readInt32BE(0));
      buffered = buffered.subarray(4 + frame.length);
      const id = frame.readInt32BE(0);
      waiting.get(id)?.resolve(new WireReader(frame.subarray(4)));
      waiting.delete(id);
    }
  });
  return {
    request(apiKey, apiVersion, body) {
      const id = ++correlation;
      return new Promise<WireReader>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        socket.write(requestFrame(apiKey, apiVersion, id, clientId, body));
      });
    },
    close: () => socket.destroy(),
  };
}
