import { kafkaString, openWire, type WireConnection } from './kafkaWire.ts';

/** One consumer group membership: what a process announces on joining (see `announceGroupMember`). */
export interface GroupMember {
  groupId: string;
  memberId: string;
}

/** What became of one member: removed now, already gone, or the broker's error. */
export type FenceOutcome =
  | { member: GroupMember; outcome: 'removed' | 'unknown' }
  | { member: GroupMember; outcome: 'failed'; error: string };

/** Options of {@link fenceGroupMembers}. */
export interface FenceOptions {
  /** `host:port` of the bootstrap brokers. */
  brokers: string[];
  members: GroupMember[];
  /** @default 'orderflow-supervisor' */
  clientId?: string;
  /** Bound of each connect and request. @default 3_000 */
  timeoutMs?: number;
}

const FIND_COORDINATOR = 10;
const LEAVE_GROUP = 13;
const NO_ERROR = 0;
const UNKNOWN_MEMBER_ID = 25;

function hostPort(address: string): [string, number] {
  const i = address.lastIndexOf(':');
  return [address.slice(0, i), Number(address.slice(i + 1))];
}

async function bootstrap(brokers: string[], clientId: string, timeoutMs: number): Promise<WireConnection> {
  let last: unknown;
  for (const b of brokers) {
    try {
      return await openWire(...hostPort(b), clientId, timeoutMs);
    } catch (err) {
      last = err;
    }
  }
  throw last instanceof Error ? last : new Error('no bootstrap broker');
}

/** FindCoordinator v1 (key type 0: a group). @throws Error with the broker's error code. */
async function findCoordinator(wire: WireConnection, groupId: string): Promise<[string, number]> {
  const r = await wire.request(FIND_COORDINATOR, 1, Buffer.concat([kafkaString(groupId), Buffer.from([0])]));
  r.int32(); // throttle_time_ms
  const code = r.int16();
  const message = r.string();
  r.int32(); // node_id
  const host = r.string() ?? '';
  const port = r.int32();
  if (code !== NO_ERROR) throw new Error(`FindCoordinator ${groupId}: error ${code}${message ? ` (${message})` : ''}`);
  return [host, port];
}

/** LeaveGroup v1 on behalf of `member`: the error code the coordinator answered. */
async function leave(wire: WireConnection, member: GroupMember): Promise<number> {
  const r = await wire.request(LEAVE_GROUP, 1, Buffer.concat([kafkaString(member.groupId), kafkaString(member.memberId)]));
  r.int32(); // throttle_time_ms
  return r.int16();
}

/**
 * Removes consumer group members that belonged to a process known to be dead, with LeaveGroup
 * requests sent on their behalf, so each group rebalances now instead of when the dead member's
 * session times out (`sessionTimeout`, 10 s here): kafkajs has no static membership, and a
 * restarted process joins as a new member. Only for members whose process is gone: fencing a live
 * member makes it rejoin (a spurious rebalance, never a loss: offsets commit only after the work).
 * Never throws; a member whose removal failed is left to its session timeout.
 */
export async function fenceGroupMembers(opts: FenceOptions): Promise<FenceOutcome[]> {
  const clientId = opts.clientId ?? 'orderflow-supervisor';
  const timeoutMs = opts.timeoutMs ?? 3_000;
  if (opts.members.length === 0) return [];
  let boot: WireConnection;
  try {
    boot = await bootstrap(opts.brokers, clientId, timeoutMs);
  } catch (err) {
    return opts.members.map((member) => ({ member, outcome: 'failed', error: err instanceof Error ? err.message : String(err) }));
  }
  const coordinators = new Map<string, Promise<WireConnection>>();
  const toCoordinator = async (groupId: string) => {
    const [host, port] = await findCoordinator(boot, groupId);
    const key = `${host}:${port}`;
    let conn = coordinators.get(key);
    if (!conn) {
      conn = openWire(host, port, clientId, timeoutMs);
      coordinators.set(key, conn);
    }
    return conn;
  };
  try {
    return await Promise.all(opts.members.map(async (member): Promise<FenceOutcome> => {
      try {
        const code = await leave(await toCoordinator(member.groupId), member);
        if (code === NO_ERROR) return { member, outcome: 'removed' };
        if (code === UNKNOWN_MEMBER_ID) return { member, outcome: 'unknown' };
        return { member, outcome: 'failed', error: `LeaveGroup error ${code}` };
      } catch (err) {
        return { member, outcome: 'failed', error: err instanceof Error ? err.message : String(err) };
      }
    }));
  } finally {
    boot.close();
    for (const c of coordinators.values()) void c.then((w) => w.close(), () => undefined);
  }
}
