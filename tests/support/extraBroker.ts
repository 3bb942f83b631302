import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadStackConfig, type StackConfig } from '../../stack/config.ts';
import { kafkaDown, kafkaUp } from '../../stack/kafka.ts';
import { livePid, portAnswers } from '../../stack/process.ts';

async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if (!(await portAnswers(port)) && !(await portAnswers(port + 1))) return port;
  }
}

/** A private Kafka broker a test may stop, kill and start again. */
export interface PrivateBroker {
  brokers: string[];
  /** Graceful stop (SIGTERM, then SIGKILL past 30 s). */
  stop(): Promise<void>;
  /** SIGKILL, as a crash: no clean shutdown, the logs recovered on the next start. Resolves once it is gone. */
  kill(): Promise<void>;
  /** Starts it again (its data kept); resolves once it answers. */
  start(): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * A second, private Kafka broker for chaos tests that stop the broker: stopping the shared one would
 * disturb test files running in parallel. It reuses the cached jars.
 */
export async function startPrivateBroker(tag: string): Promise<PrivateBroker> {
  const shared = loadStackConfig();
  const port = await freePort();
  const dir = resolve(shared.dir, `chaos-${tag}-${port}`);
  const cfg: StackConfig = loadStackConfig({
    ...process.env,
    ORDERFLOW_STACK_DIR: dir,
    ORDERFLOW_KAFKA_PORT: String(port),
    ORDERFLOW_KAFKA_CONTROLLER_PORT: String(port + 1),
    ORDERFLOW_KAFKA_LIB_DIR: shared.kafka.libDir,
    ORDERFLOW_KAFKA_HEAP: '256m',
  });
  await kafkaUp(cfg);
  return {
    brokers: [`127.0.0.1:${port}`],
    stop: async () => void (await kafkaDown(cfg)),
    kill: async () => {
      const pid = livePid(join(cfg.kafka.home, 'kafka.pid'));
      if (pid === undefined) throw new Error('the private broker is not running');
      process.kill(pid, 'SIGKILL');
      // The pid turns zombie before every thread has closed its sockets: wait for the port too.
      while (livePid(join(cfg.kafka.home, 'kafka.pid')) !== undefined || (await portAnswers(port))) await new Promise((r) => setTimeout(r, 50));
    },
    start: async () => void (await kafkaUp(cfg)),
    dispose: async () => {
      await kafkaDown(cfg);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
