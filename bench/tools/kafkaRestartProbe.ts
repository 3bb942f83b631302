/**
 * Probe: how long does the stack's Kafka broker take to answer again after a SIGKILL (what the chaos
 * run's Kafka fault costs beyond its downtime)? Starts a private broker (own folder and ports, the
 * cached jars), gives it `TOPICS` topics of 6 partitions and a committed consumer group, then
 * `ROUNDS` times: SIGKILL, `kafkaUp` (timed: JVM start, log recovery, registration, first metadata
 * answer). Prints each round and the load average. Usage: `npx tsx bench/tools/kafkaRestartProbe.ts [rounds] [topics]`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { loadStackConfig } from '../../stack/config.ts';
import { kafkaDown, kafkaUp } from '../../stack/kafka.ts';
import { livePid, portAnswers } from '../../stack/process.ts';

const rounds = Number(process.argv[2] ?? 3);
const topics = Number(process.argv[3] ?? 15);
const shared = loadStackConfig();
let port = 0;
do port = 21_000 + Math.floor(Math.random() * 9_000);
while ((await portAnswers(port)) || (await portAnswers(port + 1)));
const dir = mkdtempSync(join(tmpdir(), 'orderflow-kafka-probe-'));
const cfg = loadStackConfig({ ...process.env, ORDERFLOW_STACK_DIR: dir, ORDERFLOW_KAFKA_PORT: String(port), ORDERFLOW_KAFKA_CONTROLLER_PORT: String(port + 1), ORDERFLOW_KAFKA_LIB_DIR: shared.kafka.libDir, ORDERFLOW_KAFKA_HEAP: '512m' });
const load = () => loadavg().map((v) => v.toFixed(1)).join(' ');
try {
  let t = Date.now();
  await kafkaUp(cfg);
  console.log(`first start ${Date.now() - t} ms (load ${load()})`);
  const kafka = new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const names = Array.from({ length: topics }, (_, i) => `probe.t${i}`);
  await admin.createTopics({ waitForLeaders: true, topics: names.map((topic) => ({ topic, numPartitions: 6, replicationFactor: 1 })) });
  const producer = kafka.producer();
  await producer.connect();
  for (const topic of names) await producer.send({ topic, messages: Array.from({ length: 60 }, (_, i) => ({ key: String(i), value: 'x'.repeat(200) })) });
  await producer.disconnect();
  await admin.setOffsets({ groupId: 'probe.group', topic: names[0] ?? 'probe.t0', partitions: [{ partition: 0, offset: '1' }] });
  await admin.disconnect();
  for (let r = 1; r <= rounds; r++) {
    const pid = livePid(join(cfg.kafka.home, 'kafka.pid'));
    if (pid === undefined) throw new Error('broker not running');
    process.kill(pid, 'SIGKILL');
    // The pid turns zombie before every thread has closed its sockets: wait for the port too.
    while (livePid(join(cfg.kafka.home, 'kafka.pid')) !== undefined || (await portAnswers(port))) await new Promise((res) => setTimeout(res, 50));
    t = Date.now();
    await kafkaUp(cfg);
    console.log(`round ${r}: SIGKILL → answering again in ${Date.now() - t} ms (load ${load()})`);
  }
  // The broker's registrations refused while its previous incarnation's session was still live.
  const refused = readFileSync(cfg.kafka.log, 'utf8').split('\n').filter((l) => l.includes('DUPLICATE_BROKER_REGISTRATION')).length;
  console.log(`registrations refused as DUPLICATE_BROKER_REGISTRATION over the rounds: ${refused}`);
} finally {
  await kafkaDown(cfg);
  rmSync(dir, { recursive: true, force: true });
}
