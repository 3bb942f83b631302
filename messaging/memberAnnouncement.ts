import type { GroupMember } from './groupFencing.ts';

/**
 * Set by the orderflow supervisor in its children's environment: only then is the IPC channel its
 * own. Any other parent with a channel (vitest's fork pool, a process manager) must never receive
 * our messages: vitest aborts the whole run on a message it does not know.
 */
export const SUPERVISOR_IPC_ENV = 'ORDERFLOW_SUPERVISOR_IPC';

/** What a role process tells its supervisor (over the IPC channel) when a consumer joins a group. */
export interface GroupMemberMessage extends GroupMember {
  type: 'orderflow.group-member';
}

/**
 * Tells the supervisor that spawned this process (with an IPC channel) which group member a
 * consumer became, so that when the process dies it can fence that member at once (see
 * `fenceGroupMembers`). A no-op unless that supervisor started this process
 * ({@link SUPERVISOR_IPC_ENV}): tests, `npm start` and Kubernetes have no such parent.
 */
export function announceGroupMember(member: GroupMember): void {
  if (process.env[SUPERVISOR_IPC_ENV] !== '1' || !process.send || !process.connected) return;
  const message: GroupMemberMessage = { type: 'orderflow.group-member', groupId: member.groupId, memberId: member.memberId };
  process.send(message, undefined, {}, () => undefined); // the supervisor may already be gone
}

/** True for a {@link GroupMemberMessage}. */
export function isGroupMemberMessage(message: unknown): message is GroupMemberMessage {
  if (typeof message !== 'object' || message === null) return false;
  const m = message as Record<string, unknown>;
  return m['type'] === 'orderflow.group-member' && typeof m['groupId'] === 'string' && typeof m['memberId'] === 'string';
}
