import { fenceGroupMembers, type FenceOutcome, type GroupMember } from './groupFencing.ts';

/** Options of {@link fenceFormerMember}. */
export interface FormerMemberOptions {
  brokers: string[];
  /** The member the consumer was before its crash. */
  member: GroupMember;
  /** Stop trying (the consumer was stopped). */
  giveUp(): boolean;
  /** @default 500 */
  everyMs?: number;
  /** @default 120_000 */
  boundMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Removes the member a consumer was before kafkajs restarted it after a crash. The restarted consumer
 * joins as a new member (kafkajs has no static membership), and the member it was stays in the group
 * until its session expires, which the coordinator counts again from its own start after a broker
 * restart: every consumer of the chaos run's Kafka fault rejoined ~10 s (its session) after the
 * broker was back. Retried every `everyMs` until the coordinator answers (the broker may be down or
 * loading); resolves with the last outcome, 'removed' or 'unknown' when it went through. The member
 * id is never reused, so removing it never disturbs a live consumer.
 */
export async function fenceFormerMember(opts: FormerMemberOptions): Promise<FenceOutcome | undefined> {
  const deadline = Date.now() + (opts.boundMs ?? 120_000);
  let last: FenceOutcome | undefined;
  while (!opts.giveUp() && Date.now() < deadline) {
    [last] = await fenceGroupMembers({ brokers: opts.brokers, members: [opts.member], clientId: 'orderflow-former-member', timeoutMs: 2_000 });
    if (last && last.outcome !== 'failed') return last;
    await sleep(opts.everyMs ?? 500);
  }
  return last;
}
