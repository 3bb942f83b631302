import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotificationError } from '../../../command-side/notifications/notifier.ts';
import { createSmtpNotifier, messageIdFor, type SmtpNotifier } from '../../../command-side/notifications/smtpNotifier.ts';
import { startSmtpSink, type SmtpSink } from '../../../command-side/notifications/smtpSink.ts';
import { notificationFor } from '../../../command-side/notifications/templates.ts';

describe('smtp notifier over a real SMTP sink', () => {
  let sink: SmtpSink;
  let notifier: SmtpNotifier;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'orderflow-smtp-'));
    sink = await startSmtpSink({ port: 0, host: '127.0.0.1', dir });
    notifier = createSmtpNotifier({ host: sink.host, port: sink.port, secure: false, ignoreTLS: true, timeoutMs: 5000 });
  });

  afterAll(async () => {
    notifier?.dispose();
    await sink?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('delivers an order notification and reads it back, with a Message-ID from the idempotency key', async () => {
    const msg = notificationFor(
      { type: 'OrderRejected', data: { orderId: 'ord-42', customerId: 'cust-9', reason: 'stock short: insufficient stock for SKU-1', rejectedAt: '2025-01-01T00:00:00.000Z' } },
      { orderId: 'ord-42', customerId: 'cust-9', currency: 'EUR', totalMinor: 4250 },
    );
    if (!msg) throw new Error('expected a message');
    await notifier.verify();
    await notifier.send(msg);

    const mail = await sink.waitFor((m) => m.messageId === messageIdFor('OrderRejected:ord-42'), 5000);
    expect(mail.envelope.to).toEqual(['cust-9@customers.orderflow.test']);
    expect(mail.to).toBe('cust-9@customers.orderflow.test');
    expect(mail.subject).toBe('Order ord-42 could not be accepted');
    expect(mail.text).toContain('Reason: stock short: insufficient stock for SKU-1');
    expect(mail.text).toContain('EUR 42.50');
    expect(mail.file).not.toBeNull();
    expect(await readFile(mail.file as string, 'utf8')).toContain('Subject: Order ord-42 could not be accepted');
  });

  it('a re-sent message carries the same Message-ID', async () => {
    const msg = { to: 'x@customers.orderflow.test', subject: 'Order ö confirmed', text: 'ünïcode body', idempotencyKey: 'OrderConfirmed:ord-7' };
    await notifier.send(msg);
    await notifier.send(msg);
    const id = messageIdFor('OrderConfirmed:ord-7');
    await sink.waitFor((m) => m.messageId === id && m.seq > 1);
    const copies = sink.messages().filter((m) => m.messageId === id);
    expect(copies).toHaveLength(2);
    expect(copies[0]?.subject).toBe('Order ö confirmed');
    expect(copies[0]?.text).toBe('ünïcode body');
  });

  it('authenticates when the sink requires credentials, and refuses bad ones permanently', async () => {
    const guarded = await startSmtpSink({ credentials: { user: 'orderflow', pass: 's3cret' } });
    const good = createSmtpNotifier({ host: guarded.host, port: guarded.port, ignoreTLS: true, auth: { user: 'orderflow', pass: 's3cret' }, pool: false });
    const bad = createSmtpNotifier({ host: guarded.host, port: guarded.port, ignoreTLS: true, auth: { user: 'orderflow', pass: 'nope' }, pool: false });
    try {
      await good.send({ to: 'a@customers.orderflow.test', subject: 's', text: 't', idempotencyKey: 'k1' });
      expect((await guarded.waitFor(() => true)).authUser).toBe('orderflow');
      const err = await bad.send({ to: 'a@customers.orderflow.test', subject: 's', text: 't', idempotencyKey: 'k2' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotificationError);
      expect((err as NotificationError).retriable).toBe(false);
    } finally {
      good.dispose();
      bad.dispose();
      await guarded.stop();
    }
  });

  it('an unreachable server is a retriable failure', async () => {
    const stopped = await startSmtpSink();
    await stopped.stop();
    const n = createSmtpNotifier({ host: stopped.host, port: stopped.port, ignoreTLS: true, pool: false, timeoutMs: 2000 });
    const err = await n.send({ to: 'a@b.test', subject: 's', text: 't', idempotencyKey: 'k' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotificationError);
    expect((err as NotificationError).retriable).toBe(true);
    n.dispose();
  });

  it('waitFor times out with a clear error', async () => {
    await expect(sink.waitFor((m) => m.subject === 'never', 50)).rejects.toThrow(/no matching mail within 50 ms/);
  });
});
