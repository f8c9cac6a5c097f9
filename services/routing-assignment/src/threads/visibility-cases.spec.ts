import { VISIBILITY_CASES, VISIBILITY_CAST, type VisibilityCase } from '@gm/testing';
import {
  canSeeTimeline,
  canView,
  type AccessFacts,
  type ThreadAccess,
} from './domain/thread-access.js';
import { threadAudience } from './domain/thread-audience.js';

/**
 * The write side against the shared visibility table, which
 * inbox-projection's list rules run against too: what a member may open
 * here is what their inbox lists there.
 */
function situation(c: VisibilityCase): { thread: ThreadAccess; facts: AccessFacts } {
  return {
    thread: {
      routing: c.thread.routing,
      groupId: c.thread.routing === 'direct' ? null : 'grp_table',
      addresseeMemberId: c.thread.addressee,
      assigneeMemberId: c.thread.assignee,
    },
    facts: {
      group: c.group && { name: 'Table group', members: c.group.members },
      careTeamMemberIds: c.careTeam,
      activeMemberIds: new Set(VISIBILITY_CAST.filter((id) => !c.inactive.includes(id))),
    },
  };
}

describe('thread access against the shared visibility table', () => {
  it.each(VISIBILITY_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { thread, facts } = situation(c);
    expect(VISIBILITY_CAST.filter((id) => canView(thread, facts, id))).toEqual(
      VISIBILITY_CAST.filter((id) => c.maySee.includes(id)),
    );
    expect(VISIBILITY_CAST.filter((id) => canSeeTimeline(thread, facts, id))).toEqual(
      VISIBILITY_CAST.filter((id) => c.timeline.includes(id)),
    );
  });

  it.each(VISIBILITY_CASES.map((c) => [c.name, c] as const))(
    'the published audience: %s',
    (_name, c) => {
      const { thread, facts } = situation(c);
      const audience = threadAudience(thread, facts);
      expect(audience.map((m) => m.memberId)).toEqual([...c.maySee].sort());
      // The reasons the read model shows the timeline by (Admins, the addressee).
      expect(
        audience
          .filter((m) => m.reason === 'admin' || m.reason === 'addressee')
          .map((m) => m.memberId),
      ).toEqual([...c.timeline].sort());
    },
  );
});
