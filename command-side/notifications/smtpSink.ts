import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { parseRawMail } from './rawMail.ts';

/** One message the sink accepted. */
export interface StoredMail {
  /** 1-based arrival order. */
  seq: number;
  receivedAt: string;
  /** SMTP envelope (MAIL FROM / RCPT TO), which may differ from the headers. */
  envelope: { from: string | null; to: string[] };
  /** `To` header as written by the sender (encoded words decoded). */
  to: string;
  subject: string;
  /** `Message-ID` header, angle brackets included; null when absent. */
  messageId: string | null;
  /** Decoded single-part body. */
  text: string;
  /** Every header, lower-case names. */
  headers: Record<string, string>;
  /** The message exactly as received (after SMTP dot-unstuffing). */
  raw: string;
  /** User name the client authenticated as, or null. */
  authUser: string | null;
  /** Path of the `.eml` copy, when a `dir` was given. */
  file: string | null;
}

/** Options of {@link startSmtpSink}. */
export interface SmtpSinkOptions {
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** @default "127.0.0.1" */
  host?: string;
  /** When set, each message is also written there as `<seq>-<hash>.eml` before it is acknowledged. */
  dir?: string;
  /** Messages kept in memory; the oldest are dropped beyond it. @default 1000 */
  maxMessages?: number;
  /** Larger messages are refused with 552. @default 10 MiB */
  maxMessageBytes?: number;
  /** When set, clients must log in with these; otherwise AUTH is optional and any login is accepted. */
  credentials?: { user: string; pass: string };
  /** @default () => new Date() */
  clock?: () => Date;
  /**
   * Deliver each Message-ID once, as a deduplicating relay does: a message whose Message-ID was
   * already delivered is acknowledged (250) but counted in `duplicates()` instead of kept. @default false
   */
  dedupeByMessageId?: boolean;
  /**
   * Called after a message is stored (or counted as a duplicate) and before the client gets its 250:
   * a test can kill the sender there, between the delivery and the sender learning of it.
   */
  beforeAck?: (mail: StoredMail, duplicate: boolean) => Promise<void> | void;
}

/** A running sink. */
export interface SmtpSink {
  host: string;
  port: number;
  /** Messages held in memory, oldest first. */
  messages(): StoredMail[];
  /**
   * Resolves with the first held or future message matching `predicate`.
   * @throws Error when none arrives within `timeoutMs` (default 5000) or the sink stops.
   */
  waitFor(predicate: (mail: StoredMail) => boolean, timeoutMs?: number): Promise<StoredMail>;
  /** Messages acknowledged but dropped because their Message-ID was delivered already (`dedupeByMessageId`). */
  duplicates(): number;
  /** Forgets the messages held in memory (files stay). */
  clear(): void;
  /** Stops listening and closes open connections (after at most 1 s). Safe to call twice. */
  stop(): Promise<void>;
}

interface Waiter {
  predicate: (mail: StoredMail) => boolean;
  resolve: (mail: StoredMail) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

function readAll(stream: SMTPServerDataStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

class SinkError extends Error {
  constructor(
    message: string,
    readonly responseCode: number,
  ) {
    super(message);
  }
}

/**
 * Starts a real SMTP server (the `smtp-server` package) that accepts every message,
 * keeps it in memory and optionally on disk. For local runs and tests; STARTTLS is off.
 * @throws Error when the port cannot be bound.
 */
export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const host = options.host ?? '127.0.0.1';
  const maxMessages = options.maxMessages ?? 1000;
  const clock = options.clock ?? (() => new Date());
  const { dir, credentials } = options;
  if (dir) await mkdir(dir, { recursive: true });

  let mails: StoredMail[] = [];
  let seq = 0;
  let duplicates = 0;
  const delivered = new Set<string>();
  const waiters = new Set<Waiter>();

  /** Stores one message; with `dedupeByMessageId`, a repeat is only counted. Returns it and whether it was a repeat. */
  async function store(rawBytes: Buffer, session: SMTPServerSession): Promise<{ mail: StoredMail; duplicate: boolean }> {
    const raw = rawBytes.toString('utf8');
    const { headers, text } = parseRawMail(raw);
    const messageId = headers['message-id'] ?? null;
    const duplicate = options.dedupeByMessageId === true && messageId !== null && delivered.has(messageId);
    if (messageId !== null && options.dedupeByMessageId) delivered.add(messageId);
    seq += 1;
    let file: string | null = null;
    if (dir && !duplicate) {
      const hash = createHash('sha256').update(rawBytes).digest('hex').slice(0, 12);
      file = join(dir, `${String(seq).padStart(6, '0')}-${hash}.eml`);
      await writeFile(file, rawBytes);
    }
    const from = session.envelope.mailFrom;
    const mail: StoredMail = {
      seq,
      receivedAt: clock().toISOString(),
      envelope: { from: from ? from.address : null, to: session.envelope.rcptTo.map((r) => r.address) },
      to: headers['to'] ?? '',
      subject: headers['subject'] ?? '',
      messageId,
      text,
      headers,
      raw,
      authUser: typeof session.user === 'string' ? session.user : null,
      file,
    };
    if (duplicate) {
      duplicates += 1;
      return { mail, duplicate };
    }
    mails.push(mail);
    if (mails.length > maxMessages) mails = mails.slice(mails.length - maxMessages);
    for (const w of waiters) {
      if (w.predicate(mail)) {
        waiters.delete(w);
        clearTimeout(w.timer);
        w.resolve(mail);
      }
    }
    return { mail, duplicate };
  }

  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS'],
    authOptional: !credentials,
    allowInsecureAuth: true,
    size: options.maxMessageBytes ?? 10 * 1024 * 1024,
    closeTimeout: 1000,
    onAuth(auth, _session, callback) {
      if (credentials && (auth.username !== credentials.user || auth.password !== credentials.pass)) {
        return callback(new SinkError('invalid username or password', 535));
      }
      callback(null, { user: auth.username ?? 'anonymous' });
    },
    onData(stream, session, callback) {
      readAll(stream)
        .then(async (bytes) => {
          if (stream.sizeExceeded) throw new SinkError('message exceeds fixed maximum message size', 552);
          const { mail, duplicate } = await store(bytes, session);
          await options.beforeAck?.(mail, duplicate);
          callback();
        })
        .catch((e: unknown) => callback(e instanceof Error ? e : new Error(String(e))));
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Errors after start (a client misbehaving) must not crash the process.
  server.on('error', () => {});
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);

  let stopped: Promise<void> | null = null;

  return {
    host,
    port,
    messages: () => [...mails],
    waitFor(predicate, timeoutMs = 5000) {
      const found = mails.find(predicate);
      if (found) return Promise.resolve(found);
      if (stopped) return Promise.reject(new Error('smtp sink stopped'));
      return new Promise<StoredMail>((resolve, reject) => {
        const waiter: Waiter = {
          predicate,
          resolve,
          reject,
          timer: setTimeout(() => {
            waiters.delete(waiter);
            reject(new Error(`no matching mail within ${timeoutMs} ms (${mails.length} held)`));
          }, timeoutMs),
        };
        waiters.add(waiter);
      });
    },
    duplicates: () => duplicates,
    clear() {
      mails = [];
    },
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        for (const w of waiters) {
          clearTimeout(w.timer);
          w.reject(new Error('smtp sink stopped'));
        }
        waiters.clear();
        server.close(() => resolve());
      });
      return stopped;
    },
  };
}
