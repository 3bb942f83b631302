import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_COLUMNS, type EventRow } from '../../../command-side/eventStore/sql/storedEvent.ts';
import { messageIdFor } from '../../../command-side/notifications/smtpNotifier.ts';
import { startSmtpSink, type SmtpSink } from '../../../command-side/notifications/smtpSink.ts';
import { rowToWireEvent } from '../../../command-side/outbox/wireEvent.ts';
import { encodeEvent } from '../../../messaging/codec.ts';
import { familyTopic } from '../../../messaging/topics.ts';
import { seedProduct } from '../../support/orders.ts';
import { quiesce, startSagaStack, uniqueMessageIds, waitForStatus, waitUntil, placeOrderFor, type SagaStack } from '../../support/saga.ts';

const place = (s: SagaStack, sku: string, token: string): Promise<string> => placeOrderFor(s, [{ sku, quantity: 1 }], token);

async function sentRows(s: SagaStack, orderId: string): Promise<{ notification_key: string; message_id: string }[]> {
  return (await s.pool.query<{ notification_key: string; message_id: string }>('select notification_key, message_id from notifications_sent where order_id = $1', [orderId])).rows;
}

describe('notification consumer: one message per order transition', () => {
  let s: SagaStack;
  let producer: Producer;
  let sink2: SmtpSink | undefined;
  beforeAll(async () => {
    s = await startSagaStack('notify');
    producer = s.kafka.producer();
    await producer.connect();
  });
  afterAll(async () => {
    await producer?.disconnect();
    await sink2?.stop();
    await s?.stop();
  });

  it('waits out an SMTP outage without losing or doubling the mail', async () => {
    await seedProduct(s.handler, 'MAIL-1', 500, 5);
    const port = s.sink.port;
    await s.sink.stop();
    const orderId = await place(s, 'MAIL-1', 'tok_visa');
    await waitForStatus(s.handler, orderId, ['confirmed']);
    await new Promise((r) => setTimeout(r, 1500)); // a few failed sends
    expect(await sentRows(s, orderId)).toEqual([]);
    sink2 = await startSmtpSink({ port });
    const mail = await sink2.waitFor((m) => m.subject === `Order ${orderId} confirmed`, 15_000);
    expect(mail.messageId).toBe(messageIdFor(`OrderConfirmed:${orderId}`));
    await quiesce(s);
    expect(sink2.messages().filter((m) => m.subject.includes(orderId))).toHaveLength(1);
    expect(await sentRows(s, orderId)).toEqual([{ notification_key: `OrderConfirmed:${orderId}`, message_id: mail.messageId }]);
  });

  it('a crash between sending and recording re-sends the same Message-ID (at-least-once, deduplicable)', async () => {
    if (!sink2) throw new Error('needs the sink of the previous test');
    const sink = sink2;
    await seedProduct(s.handler, 'MAIL-2', 500, 5);
    const orderId = await place(s, 'MAIL-2', 'tok_declined');
    await waitForStatus(s.handler, orderId, ['rejected']);
    const subject = `Order ${orderId} could not be accepted`;
    await sink.waitFor((m) => m.subject === subject, 15_000);
    await quiesce(s);
    // Simulate the crash window: the mail went out but its record did not, and the event comes again.
    await s.pool.query('delete from notifications_sent where order_id = $1', [orderId]);
    const { rows } = await s.pool.query<EventRow>(`select ${EVENT_COLUMNS} from events where stream_id = $1 and type = 'OrderRejected'`, [`order-${orderId}`]);
    const row = rows[0];
    if (!row) throw new Error('OrderRejected not stored');
    await producer.send({ topic: familyTopic(s.prefix, 'orders'), acks: -1, messages: [encodeEvent(rowToWireEvent(row), Date.now())] });
    await waitUntil('re-sent', async () => sink.messages().filter((m) => m.subject === subject).length === 2);
    await quiesce(s);
    const copies = sink.messages().filter((m) => m.subject.includes(orderId));
    expect(copies).toHaveLength(2);
    expect(uniqueMessageIds(copies).size).toBe(1);
    // …and once recorded again, further deliveries send nothing.
    await producer.send({ topic: familyTopic(s.prefix, 'orders'), acks: -1, messages: [encodeEvent(rowToWireEvent(row), Date.now())] });
    await quiesce(s);
    expect(sink.messages().filter((m) => m.subject.includes(orderId))).toHaveLength(2);
    expect(await sentRows(s, orderId)).toHaveLength(1);
  });
});
