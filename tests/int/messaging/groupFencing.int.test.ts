import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Admin, Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fenceGroupMembers } from '../../../messaging/groupFencing.ts';
import { createTopics, kafkaBrokers, testKafka, uniqueId } from '../../support/isolation.ts';

/**
 * A member whose process was SIGKILLed stays in its group until its session times out (30 s here),
 * and the group cannot rebalance its partitions to the survivor before that. fenceGroupMembers
 * removes it at once with a LeaveGroup sent on its behalf.
 */
const SESSION_MS = 30_000;

/** A real child process that joins `groupId` on `topic` and prints its member id. */
function memberProcess(topic: string, groupId: string): { child: ChildProcess; memberId: Promise<string> } {
  const script = `
    import { Kafka, logLevel } from 'kafkajs';
    const consumer = new Kafka({ clientId: 'fencing-victim', brokers: ${JSON.stringify(kafkaBrokers)}, logLevel: logLevel.NOTHING })
      .consumer({ groupId: ${JSON.stringify(groupId)}, sessionTimeout: ${SESSION_MS}, heartbeatInterval: 1000 });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => console.log('MEMBER ' + payload.memberId));
    await consumer.connect();
    await consumer.subscribe({ topics: [${JSON.stringify(topic)}] });
    await consumer.run({ eachMessage: async () => {} });
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
  const memberId = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const m = /MEMBER (\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`member process exited ${String(code)} before joining`)));
  });
  return { child, memberId };
}

describe('fencing the group members of a dead process', () => {
  const kafka = testKafka('fencing-test');
  let admin: Admin;
  let survivor: Consumer | undefined;
  let victim: ChildProcess | undefined;
  const topic = uniqueId('fencing.topic');
  const groupId = uniqueId('fencing.group');

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    await createTopics(admin, [topic], 4);
  });

  afterAll(async () => {
    victim?.kill('SIGKILL');
    await survivor?.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('removes a SIGKILLed member at once, so the survivor is assigned every partition; a second try finds it gone', async () => {
    const v = memberProcess(topic, groupId);
    victim = v.child;
    const victimId = await v.memberId;

    const c = kafka.consumer({ groupId, sessionTimeout: SESSION_MS, heartbeatInterval: 1000, maxWaitTimeInMs: 100 });
    survivor = c;
    const assignments: number[][] = [];
    c.on(c.events.GROUP_JOIN, ({ payload }) => assignments.push(payload.memberAssignment[topic] ?? []));
    await c.connect();
    await c.subscribe({ topics: [topic] });
    await c.run({ eachMessage: async () => undefined });
    await waitFor(() => assignments.length > 0 && (assignments.at(-1)?.length ?? 0) < 4, 60_000);

    const exited = once(v.child, 'exit');
    v.child.kill('SIGKILL');
    await exited;
    // Dead, but still a member: its session has not timed out.
    expect((await admin.describeGroups([groupId])).groups[0]?.members.map((m) => m.memberId)).toContain(victimId);

    const outcomes = await fenceGroupMembers({ brokers: kafkaBrokers, members: [{ groupId, memberId: victimId }] });
    expect(outcomes).toEqual([{ member: { groupId, memberId: victimId }, outcome: 'removed' }]);
    expect((await admin.describeGroups([groupId])).groups[0]?.members.map((m) => m.memberId)).not.toContain(victimId);

    // The survivor rejoins and takes all four partitions (well before the victim's session would end).
    await waitFor(() => [...(assignments.at(-1) ?? [])].sort().join() === '0,1,2,3', SESSION_MS - 5_000);

    expect(await fenceGroupMembers({ brokers: kafkaBrokers, members: [{ groupId, memberId: victimId }] }))
      .toEqual([{ member: { groupId, memberId: victimId }, outcome: 'unknown' }]);
  });

  it('reports an unreachable broker as failed instead of throwing', async () => {
    const outcomes = await fenceGroupMembers({ brokers: ['127.0.0.1:1'], members: [{ groupId, memberId: 'm-1' }], timeoutMs: 1_000 });
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ outcome: 'failed' });
  });
});

async function waitFor(condition: () => boolean, boundMs: number): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${boundMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
