import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadStackConfig, type StackConfig } from '../../stack/config.ts';
import { kafkaDown, kafkaUp } from '../../stack/kafka.ts';
import { portAnswers } from '../../stack/process.ts';

async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if (!(await portAnswers(port)) && !(await portAnswers(port + 1))) return port;
  }
}

/**
 * A second, private Kafka broker for chaos tests that stop the broker: stopping the shared one would
 * disturb test files running in parallel. It reuses the cached jars.
 */
export async function startPrivateBroker(tag: string): Promise<{ brokers: string[]; stop(): Promise<void>; start(): Promise<void>; dispose(): Promise<void> }> {
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
    start: async () => void (await kafkaUp(cfg)),
    dispose: async () => {
      await kafkaDown(cfg);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
