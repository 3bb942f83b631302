import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { projectRoot, StackError, type StackConfig } from './config.ts';
import { hasCommand, livePid, portAnswers, run, startDaemon, stopDaemon, waitFor } from './process.ts';
import type { ServiceStatus } from './service.ts';

const KAFKA_VERSION = '3.9.1';

function brokerJar(cfg: StackConfig): string {
  return join(cfg.kafka.libDir, `kafka_2.13-${KAFKA_VERSION}.jar`);
}

/** Downloads the broker jars from Maven Central once (cached under .stack/kafka/lib). */
function ensureJars(cfg: StackConfig): void {
  if (existsSync(brokerJar(cfg))) return;
  if (!hasCommand('mvn')) throw new StackError('Maven (mvn) not found; it fetches the Kafka jars', 'install it: sudo apt-get install -y maven');
  run('mvn', ['-q', '-B', '-f', join(projectRoot, 'stack/kafka/pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${cfg.kafka.libDir}`],
    'Maven Central refused the Kafka download: check network access to repo.maven.apache.org, then run `npm run stack:up` again');
}

/** Single-node KRaft settings that keep tests fast and correct (see shared/STACK.md). */
function writeConfig(cfg: StackConfig): string {
  const { port, controllerPort, dataDir, home } = cfg.kafka;
  const props = [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${dataDir}`,
    'num.partitions=3',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=6',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    // A broker restarted after a crash has its registration refused (DUPLICATE_BROKER_REGISTRATION)
    // until its previous incarnation's session expires, which the controller restarts counting at
    // its own activation: with the default 9 s a SIGKILLed broker answered again ~20 s after its
    // restart began, with 4 s (heartbeat 0.5 s) 11-13 s (bench/tools/kafkaRestartProbe.ts, load 7-9).
    'broker.heartbeat.interval.ms=500',
    'broker.session.timeout.ms=4000',
    'auto.create.topics.enable=false',
    'delete.topic.enable=true',
    'log.retention.hours=168',
  ];
  const file = join(home, 'server.properties');
  writeFileSync(file, `${props.join('\n')}\n`);
  writeFileSync(join(home, 'log4j.properties'), [
    'log4j.rootLogger=WARN, stdout',
    'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
    'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
    'log4j.logger.kafka.server.KafkaServer=INFO',
    'log4j.logger.kafka.server.KafkaRaftServer=INFO',
    // Its registration attempts (a restart after a crash waits out the old incarnation's session).
    'log4j.logger.kafka.server.BrokerLifecycleManager=INFO',
    '',
  ].join('\n'));
  return file;
}

function formatStorage(cfg: StackConfig, props: string): void {
  if (existsSync(join(cfg.kafka.dataDir, 'meta.properties'))) return;
  const clusterId = Buffer.from(randomUUID().replaceAll('-', ''), 'hex').toString('base64url');
  // One id in 64 starts with '-': as a separate argument the tool's parser takes it for an option.
  run('java', ['-cp', `${cfg.kafka.libDir}/*`, `-Dlog4j.configuration=file:${join(cfg.kafka.home, 'log4j.properties')}`, 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '-c', props],
    `Kafka storage format failed; remove ${cfg.kafka.dataDir} and retry`);
}

/** True when the broker answers a metadata request. */
export async function kafkaAnswers(cfg: StackConfig): Promise<boolean> {
  if (!(await portAnswers(cfg.kafka.port))) return false;
  const admin = new Kafka({ brokers: [`127.0.0.1:${cfg.kafka.port}`], logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 5000 }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

const pidFile = (cfg: StackConfig) => join(cfg.kafka.home, 'kafka.pid');

/** Idempotently fetches, formats and starts a KRaft Kafka 3.9 broker; returns true when it had to start it. */
export async function kafkaUp(cfg: StackConfig): Promise<boolean> {
  if (livePid(pidFile(cfg)) === undefined && (await portAnswers(cfg.kafka.port))) {
    if (await kafkaAnswers(cfg)) return false; // a broker we did not start (or lost the pid of) already serves
    throw new StackError(`port ${cfg.kafka.port} is taken by another program`, 'stop it or set ORDERFLOW_KAFKA_PORT to a free port');
  }
  if (livePid(pidFile(cfg)) === undefined) {
    if (!hasCommand('java')) throw new StackError('Java not found; the Kafka broker needs Java 17', 'install it: sudo apt-get install -y openjdk-17-jre-headless');
    mkdirSync(cfg.kafka.dataDir, { recursive: true });
    ensureJars(cfg);
    const props = writeConfig(cfg);
    formatStorage(cfg, props);
    startDaemon('java', [`-Xmx${cfg.kafka.heap}`, `-Xms${cfg.kafka.heap}`, '-XX:+UseG1GC', '-Djava.awt.headless=true',
      `-Dlog4j.configuration=file:${join(cfg.kafka.home, 'log4j.properties')}`, '-cp', `${cfg.kafka.libDir}/*`, 'kafka.Kafka', props],
      cfg.kafka.log, pidFile(cfg));
    await waitFor('Kafka', () => kafkaAnswers(cfg), 180_000, `see ${cfg.kafka.log}`);
    return true;
  }
  await waitFor('Kafka', () => kafkaAnswers(cfg), 180_000, `see ${cfg.kafka.log}`);
  return false;
}

/** Stops the broker this stack started. */
export function kafkaDown(cfg: StackConfig): Promise<boolean> {
  return stopDaemon(pidFile(cfg), 30_000);
}

/** Version and liveness of the stack's Kafka. */
export async function kafkaStatus(cfg: StackConfig): Promise<ServiceStatus> {
  const installed = existsSync(cfg.kafka.libDir) && readdirSync(cfg.kafka.libDir).some((f) => f.startsWith('kafka_2.13-'));
  const pid = livePid(pidFile(cfg));
  return { name: 'kafka', port: cfg.kafka.port, answers: await kafkaAnswers(cfg), version: installed ? KAFKA_VERSION : 'not installed', ...(pid ? { pid } : {}) };
}
