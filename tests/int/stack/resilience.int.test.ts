import { createServer, type Server } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadStackConfig, StackError, type StackConfig } from '../../../stack/config.ts';
import { ferretdbAnswers, ferretdbDown, ferretdbUp } from '../../../stack/ferretdb.ts';
import { kafkaAnswers, kafkaDown, kafkaUp } from '../../../stack/kafka.ts';
import { livePid, portAnswers } from '../../../stack/process.ts';

const shared = loadStackConfig();
const dirs: string[] = [];

async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if (!(await portAnswers(port)) && !(await portAnswers(port + 1))) return port;
  }
}

/** A private copy of the stack config (own dir and ports) reusing the cached jars and binary. */
async function privateConfig(extra: Record<string, string> = {}): Promise<StackConfig> {
  const dir = mkdtempSync(join(tmpdir(), 'orderflow-stack-'));
  dirs.push(dir);
  const port = await freePort();
  return loadStackConfig({
    ...process.env, ORDERFLOW_STACK_DIR: dir, ORDERFLOW_KAFKA_PORT: String(port), ORDERFLOW_KAFKA_CONTROLLER_PORT: String(port + 1),
    ORDERFLOW_MONGO_PORT: String(await freePort()), ORDERFLOW_KAFKA_LIB_DIR: shared.kafka.libDir, ORDERFLOW_FERRETDB_BIN: shared.ferretdb.binary,
    ORDERFLOW_PG_PORT: String(shared.postgres.port), ORDERFLOW_KAFKA_HEAP: '256m', ORDERFLOW_FERRETDB_DATABASE: `ferretdb_${port}`, ...extra,
  });
}

function killHard(pidFile: string): void {
  const pid = livePid(pidFile);
  if (pid) process.kill(pid, 'SIGKILL');
}

describe('stack manager resilience (real processes)', () => {
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('brings a SIGKILLed Kafka broker back on the next up, and a second up does nothing', async () => {
    const cfg = await privateConfig();
    try {
      expect(await kafkaUp(cfg)).toBe(true);
      expect(await kafkaUp(cfg)).toBe(false);
      killHard(join(cfg.kafka.home, 'kafka.pid'));
      await new Promise((r) => setTimeout(r, 500));
      expect(await kafkaAnswers(cfg)).toBe(false);
      expect(await kafkaUp(cfg)).toBe(true);
      expect(await kafkaAnswers(cfg)).toBe(true);
    } finally {
      await kafkaDown(cfg);
    }
  }, 420_000);

  it('brings a SIGKILLed FerretDB back on the next up', async () => {
    const cfg = await privateConfig();
    try {
      expect(await ferretdbUp(cfg)).toBe(true);
      killHard(join(cfg.ferretdb.home, 'ferretdb.pid'));
      await new Promise((r) => setTimeout(r, 300));
      expect(await ferretdbAnswers(cfg)).toBe(false);
      expect(await ferretdbUp(cfg)).toBe(true);
      expect(await ferretdbAnswers(cfg)).toBe(true);
    } finally {
      await ferretdbDown(cfg);
    }
  }, 120_000);

  it('a taken port is one clear line naming the fix, not a stack trace', async () => {
    const cfg = await privateConfig();
    const squatter: Server = createServer();
    await new Promise<void>((r) => squatter.listen(cfg.ferretdb.port, '127.0.0.1', () => r()));
    try {
      const err = await ferretdbUp(cfg).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StackError);
      expect((err as StackError).line()).toMatch(/^stack: port \d+ is taken by another program — stop it or set ORDERFLOW_MONGO_PORT/);
      expect((err as StackError).line()).not.toContain('\n');
    } finally {
      squatter.close();
    }
  });

  it('Java missing is one clear line saying how to install it', async () => {
    const cfg = await privateConfig();
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const err = await kafkaUp(cfg).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StackError);
      expect((err as StackError).line()).toBe('stack: Java not found; the Kafka broker needs Java 17 — install it: sudo apt-get install -y openjdk-17-jre-headless');
    } finally {
      process.env.PATH = path;
    }
  });

  it('a refused download is one clear line saying what to check', async () => {
    // An empty lib dir forces the Maven fetch; an unreachable repository makes Maven fail.
    const cfg = await privateConfig({ ORDERFLOW_KAFKA_LIB_DIR: join(tmpdir(), `orderflow-nolib-${Date.now()}`) });
    const opts = process.env.MAVEN_OPTS;
    process.env.MAVEN_OPTS = '-Dmaven.repo.local=/tmp/orderflow-empty-m2 -Dmaven.wagon.http.retryHandler.count=0 -DremoteRepositories=http://127.0.0.1:9/ -o';
    try {
      const err = await kafkaUp(cfg).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StackError);
      expect((err as StackError).line()).toMatch(/^stack: mvn .* failed: .* — Maven Central refused the Kafka download: check network access to repo\.maven\.apache\.org/);
    } finally {
      if (opts === undefined) delete process.env.MAVEN_OPTS;
      else process.env.MAVEN_OPTS = opts;
      rmSync('/tmp/orderflow-empty-m2', { recursive: true, force: true });
    }
  }, 120_000);
});
