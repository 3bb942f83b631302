import { MongoClient, type Db } from 'mongodb';
import pg from 'pg';
import { createKafka } from '../../messaging/index.ts';
import { projections, detectStaleProjections, rebuildProjection, RebuildInProgressError, createProjectorWorker } from '../../projector/index.ts';
import { type AppConfig, type Logger, metrics } from '../../platform/index.ts';
import { eventStorePorts } from '../../command-side/index.ts';
import type { Role } from './role.ts';
import { STORE_TIMEOUTS, watchPoolErrors } from '../../platform/index.ts';

/**
 * Projections whose live views were built by other code than this build's: `auto` rebuilds the ones
 * built by OLDER code, one after the other, in the background (the workers keep projecting into the
 * live generation meanwhile, and queries keep answering); `warn` only tells the operator. Views
 * built by NEWER code are never rebuilt backwards. Returns a stop function.
 */
async function handleStaleProjections(config: AppConfig, db: Db, logger: Logger): Promise<() => Promise<void>> {
  const log = logger.child({ component: 'rebuild-on-start' });
  const stale = await detectStaleProjections(db);
  const behind = stale.filter((s) => s.direction === 'behind');
  for (const s of stale) {
    const fields = { projection: s.projection.name, liveCodeVersion: s.liveCodeVersion, codeVersion: s.codeVersion };
    if (s.direction === 'ahead') log.warn(fields, 'live views were built by NEWER projection code than this process runs; not rebuilding');
    else if (config.projector.rebuildOnStart === 'warn') log.warn(fields, `projection code changed: run \`orderflow projections rebuild ${s.projection.name}\``);
  }
  if (config.projector.rebuildOnStart !== 'auto' || behind.length === 0) return async () => undefined;
  const pool = watchPoolErrors(new pg.Pool({ connectionString: config.postgres.url, max: 4, connectionTimeoutMillis: 5000, statement_timeout: STORE_TIMEOUTS.backgroundStatementMs }),
    (err) => log.warn({ err }, 'postgres pool error'));
  const abort = new AbortController();
  const running = (async () => {
    for (const s of behind) {
      if (abort.signal.aborted) return;
      log.info({ projection: s.projection.name, from: s.liveCodeVersion, to: s.codeVersion }, 'projection code changed: rebuilding');
      try {
        const r = await rebuildProjection({ source: eventStorePorts(pool), db, projection: s.projection, logger, signal: abort.signal, partitions: config.kafka.topicPartitions });
        log.info({ projection: r.projection, generation: r.toGeneration, events: r.eventsReplayed, rate: Math.round(r.replayRate) }, 'rebuild on start finished');
      } catch (err) {
        if (err instanceof RebuildInProgressError) log.info({ projection: s.projection.name, owner: err.holder.owner }, 'another process is rebuilding it');
        else if (!abort.signal.aborted) log.error({ err, projection: s.projection.name }, 'rebuild on start failed');
      }
    }
  })();
  return async () => {
    abort.abort(new Error('projector stopping'));
    await running;
    await pool.end().catch(() => undefined);
  };
}

/** `orderflow project`: every projection as its own consumer group; run N processes to spread partitions. */
export const projectRole: Role = {
  name: 'project',
  description: 'Projectors: Kafka → MongoDB views (one consumer group per projection)',
  async start({ config, logger }) {
    const mongo = new MongoClient(config.mongo.url, { serverSelectionTimeoutMS: 10_000, socketTimeoutMS: STORE_TIMEOUTS.backgroundMongoMs });
    await mongo.connect();
    const db = mongo.db(config.mongo.db);
    const kafka = createKafka({ brokers: config.kafka.brokers, clientId: `${config.kafka.clientId}-projector`, logger });
    const producer = kafka.producer();
    await producer.connect();
    const workers = projections.map((projection) => createProjectorWorker({
      kafka, db, projection, logger, producer, registry: metrics, topicPrefix: config.kafka.topicPrefix,
      partitions: config.kafka.topicPartitions, replicationFactor: config.kafka.topicReplication, maxAttempts: config.projector.maxAttempts,
    }));
    await Promise.all(workers.map((w) => w.start()));
    // After the workers: live views stay fresh while a stale projection is rebuilt beside them.
    const stopRebuilds = await handleStaleProjections(config, db, logger);
    return {
      async stop() {
        await stopRebuilds();
        await Promise.all(workers.map((w) => w.stop()));
        await producer.disconnect();
        await mongo.close();
      },
    };
  },
};
