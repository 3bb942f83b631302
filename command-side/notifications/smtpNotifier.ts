import { createHash } from 'node:crypto';
import { createTransport } from 'nodemailer';
import type { Logger } from 'pino';
import { NotificationError, type NotificationMessage, type Notifier } from './notifier.ts';

/** Options of {@link createSmtpNotifier}. */
export interface SmtpNotifierOptions {
  host: string;
  port: number;
  /** Implicit TLS from the first byte (port 465 style). @default false */
  secure?: boolean;
  auth?: { user: string; pass: string };
  /** @default "orderflow <no-reply@orderflow.test>" */
  from?: string;
  /** Never upgrade with STARTTLS even when offered (local sinks only). @default false */
  ignoreTLS?: boolean;
  /** Fail unless STARTTLS succeeds. @default false */
  requireTLS?: boolean;
  /** Connection, greeting and socket inactivity timeout. @default 10000 */
  timeoutMs?: number;
  /** Keep up to `maxConnections` connections open between sends. @default true */
  pool?: boolean;
  /** @default 2 */
  maxConnections?: number;
  /** Right-hand side of generated Message-IDs. @default "orderflow.test" */
  messageIdDomain?: string;
  logger?: Pick<Logger, 'info' | 'warn'>;
}

/** An SMTP-backed notifier; `dispose` closes pooled connections. */
export interface SmtpNotifier extends Notifier {
  /** Connects and greets the server once, to fail fast on bad configuration. */
  verify(): Promise<void>;
  dispose(): void;
}

/**
 * The Message-ID for an idempotency key: `<sha256(key)[0..32]@domain>`. The same key always
 * gives the same id, so a message re-sent after a crash is recognisably the same message.
 */
export function messageIdFor(idempotencyKey: string, domain = 'orderflow.test'): string {
  return `<${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}@${domain}>`;
}

function toNotificationError(e: unknown): NotificationError {
  const err = e instanceof Error ? e : new Error(String(e));
  const responseCode = 'responseCode' in err && typeof err.responseCode === 'number' ? err.responseCode : undefined;
  // 5xx is a permanent refusal; everything else (network, 4xx, timeouts) may pass later.
  const permanent = responseCode !== undefined && responseCode >= 500 && responseCode < 600;
  return new NotificationError(`smtp send failed: ${err.message}`, !permanent, { cause: err });
}

/**
 * Sends notifications over SMTP with nodemailer. Each message gets the Message-ID
 * {@link messageIdFor}(idempotencyKey). Bodies are never logged.
 * @throws NotificationError from `send` (retriable unless the server answered 5xx) and `verify`.
 */
export function createSmtpNotifier(options: SmtpNotifierOptions): SmtpNotifier {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const from = options.from ?? 'orderflow <no-reply@orderflow.test>';
  const domain = options.messageIdDomain ?? 'orderflow.test';
  const transport = createTransport({
    host: options.host,
    port: options.port,
    secure: options.secure ?? false,
    ...(options.auth ? { auth: { user: options.auth.user, pass: options.auth.pass } } : {}),
    ignoreTLS: options.ignoreTLS ?? false,
    requireTLS: options.requireTLS ?? false,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    pool: options.pool ?? true,
    maxConnections: options.maxConnections ?? 2,
  });

  return {
    async send(msg: NotificationMessage): Promise<void> {
      const messageId = messageIdFor(msg.idempotencyKey, domain);
      try {
        await transport.sendMail({ from, to: msg.to, subject: msg.subject, text: msg.text, messageId });
      } catch (e) {
        const err = toNotificationError(e);
        options.logger?.warn({ messageId, retriable: err.retriable, err: err.message }, 'notification not sent');
        throw err;
      }
      options.logger?.info({ messageId }, 'notification sent');
    },
    async verify(): Promise<void> {
      try {
        await transport.verify();
      } catch (e) {
        throw toNotificationError(e);
      }
    },
    dispose(): void {
      transport.close();
    },
  };
}
