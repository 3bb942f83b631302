import pg from 'pg';
import { createSmtpNotifier, startSmtpSink, type SmtpSink, createNotificationWorker } from '../../command-side/index.ts';
import { createKafka } from '../../messaging/index.ts';
import { migrateDatabase } from '../database.ts';
import { loadNotifyConfig } from '../notifyConfig.ts';
import { metrics } from '../../platform/index.ts';
import type { Role } from './role.ts';
import { STORE_TIMEOUTS, watchPoolErrors } from '../../platform/index.ts';

/** The domain of a `From` address, for Message-IDs (`orderflow.test` when it has none). */
function domainOf(from: string): string {
  const m = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from);
  return m?.[1] ?? 'orderflow.test';
}

/**
 * `orderflow notify`: tells customers about confirmed, rejected, shipped and cancelled orders by
 * SMTP (consumer group `<prefix>notify`). With ORDERFLOW_SMTP_SINK on (the default in
 * development) it first starts the local SMTP sink on SMTP_HOST:SMTP_PORT, which keeps every
 * message as an `.eml` file under `.stack/mail`.
 */
export const notifyRole: Role = {
  name: 'notify',
  description: 'Customer notifications: order transitions → e-mail (local SMTP sink in development)',
  async start({ config, logger }) {
    const notify = loadNotifyConfig(config.env);
    await migrateDatabase(config);
    let sink: SmtpSink | undefined;
    if (notify.sink) {
      try {
        sink = await startSmtpSink({ host: notify.smtp.host, port: notify.smtp.port, dir: notify.sinkDir });
        logger.info({ host: sink.host, port: sink.port, dir: notify.sinkDir }, 'local smtp sink listening');
      } catch (err) {
        // A second notify process on this machine: the first one's sink takes our mail too.
        if ((err as { code?: string }).code !== 'EADDRINUSE') throw err;
        logger.warn({ port: notify.smtp.port }, 'smtp sink port in use; sending to the sink already listening there');
      }
    }
    const domain = domainOf(notify.from);
    const notifier = createSmtpNotifier({
      host: notify.smtp.host,
      port: notify.smtp.port,
      secure: notify.smtp.secure,
      ...(notify.smtp.auth ? { auth: notify.smtp.auth } : {}),
      from: notify.from,
      ignoreTLS: notify.sink,
      messageIdDomain: domain,
      logger,
    });
    const pool = watchPoolErrors(new pg.Pool({ connectionString: config.postgres.url, max: 5, connectionTimeoutMillis: 10_000, statement_timeout: STORE_TIMEOUTS.backgroundStatementMs }),
      (err) => logger.warn({ err }, 'notify postgres client error'));
    const kafka = createKafka({ brokers: config.kafka.brokers, clientId: `${config.kafka.clientId}-notify`, logger });
    const worker = createNotificationWorker({
      kafka,
      pool,
      notifier,
      logger,
      registry: metrics,
      messageIdDomain: domain,
      topicPrefix: config.kafka.topicPrefix,
      partitions: config.kafka.topicPartitions,
      replicationFactor: config.kafka.topicReplication,
      sessionTimeout: notify.sessionTimeoutMs,
    });
    const close = async () => {
      notifier.dispose();
      await pool.end();
      await sink?.stop();
    };
    try {
      await worker.start();
    } catch (err) {
      await worker.stop().catch(() => undefined);
      await close();
      throw err;
    }
    return {
      async stop() {
        await worker.stop();
        await close();
      },
    };
  },
};
