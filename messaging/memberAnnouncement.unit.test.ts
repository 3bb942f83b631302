import { describe, expect, it } from 'vitest';
import { isGroupMemberMessage } from './memberAnnouncement.ts';

describe('group member announcements', () => {
  it('recognises only a complete announcement', () => {
    expect(isGroupMemberMessage({ type: 'orderflow.group-member', groupId: 'g', memberId: 'm' })).toBe(true);
    expect(isGroupMemberMessage({ type: 'orderflow.group-member', groupId: 'g' })).toBe(false);
    expect(isGroupMemberMessage({ type: 'other', groupId: 'g', memberId: 'm' })).toBe(false);
    expect(isGroupMemberMessage('orderflow.group-member')).toBe(false);
    expect(isGroupMemberMessage(null)).toBe(false);
  });
});
