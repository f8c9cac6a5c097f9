import { VISIBILITY_CASES, VISIBILITY_CAST, type VisibilityCase } from '@gm/testing';
import {
  audience,
  audienceOf,
  seesTimeline,
  type AccessFacts,
  type ThreadAccess,
} from './domain/visibility.js';

/**
 * The read model against the shared visibility table, which
 * routing-assignment's access rules run against too: what an inbox lists
 * here is what the member may open there.
 */
function situation(c: VisibilityCase): { thread: ThreadAccess; facts: AccessFacts } {
  return {
    thread: {
      routing: c.thread.routing,
      addresseeMemberId: c.thread.addressee,
      assigneeMemberId: c.thread.assignee,
    },
    facts: {
      group: c.group && { name: 'Table group', ...c.group },
      careTeamMemberIds: c.careTeam,
      activeMemberIds: new Set(VISIBILITY_CAST.filter((id) => !c.inactive.includes(id))),
    },
  };
}

const inCastOrder = (ids: Iterable<string>) => {
  const set = new Set(ids);
  return VISIBILITY_CAST.filter((id) => set.has(id));
};

describe('inbox visibility against the shared visibility table', () => {
  it.each(VISIBILITY_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { thread, facts } = situation(c);
    const listed = audience(thread, facts);
    // The fan-out (who gets the thread in their inbox) and the per-member check agree with the table.
    expect(inCastOrder(listed.keys())).toEqual(inCastOrder(c.maySee));
    expect(VISIBILITY_CAST.filter((id) => audienceOf(thread, facts, id) !== null)).toEqual(
      inCastOrder(c.maySee),
    );
    expect(
      inCastOrder([...listed].filter(([, why]) => seesTimeline(why)).map(([id]) => id)),
    ).toEqual(inCastOrder(c.timeline));
  });
});
