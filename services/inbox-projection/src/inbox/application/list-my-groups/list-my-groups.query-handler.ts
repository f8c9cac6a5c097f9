import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DirectoryReplica } from '@gm/directory-replica';
import { SettingsReplica } from '@gm/settings-replica';
import { DIRECT_GROUP_KEY } from '../../domain/inbox-entry.js';
import { InboxSignals, type GroupCounts } from '../../infrastructure/inbox-signals.js';
import { Generations } from '../../infrastructure/projection-store.js';
import { ListMyGroupsQuery } from './list-my-groups.query.js';
import type { BucketCounts, MyGroupsView } from './my-groups-view.js';

/**
 * The groups the member belongs to (Admin or User), and the care-team
 * groups in which they see a thread through a patient's care team; an
 * inactive member has none. Counts come from the counters (recounted from
 * the entries when missing).
 */
@QueryHandler(ListMyGroupsQuery)
export class ListMyGroupsQueryHandler implements IQueryHandler<ListMyGroupsQuery> {
  constructor(
    @Inject(Generations) private readonly generations: Generations,
    @Inject(InboxSignals) private readonly signals: InboxSignals,
    private readonly settings: SettingsReplica,
    private readonly directory: DirectoryReplica,
  ) {}

  async execute({ caller }: ListMyGroupsQuery): Promise<MyGroupsView> {
    const store = await this.generations.active();
    const { practiceId, id: memberId } = caller;
    const [member, groups, counts] = await Promise.all([
      this.directory.member(practiceId, memberId),
      this.settings.groupsOfPractice(practiceId),
      this.signals.counts(store.generation, practiceId, memberId, () =>
        store.entries.find({ practiceId, memberId }).toArray(),
      ),
    ]);
    if (!member?.active) return { groups: [], direct: countsOf(undefined) };
    const listed = groups.filter((group) => {
      const membership = group.members.find((m) => m.memberId === memberId);
      return (
        membership !== undefined ||
        (group.recipientMode === 'care-team' && hasThreads(counts.get(group.groupId)))
      );
    });
    return {
      groups: listed.map((group) => ({
        groupId: group.groupId,
        name: group.name,
        recipientMode: group.recipientMode,
        admin: group.members.some((m) => m.memberId === memberId && m.privilege === 'admin'),
        ...countsOf(counts.get(group.groupId)),
      })),
      direct: countsOf(counts.get(DIRECT_GROUP_KEY)),
    };
  }
}

function countsOf(c: GroupCounts | undefined): BucketCounts {
  return {
    counts: {
      notReplied: c?.['not-replied'] ?? 0,
      replied: c?.replied ?? 0,
      trash: c?.trash ?? 0,
      overdue: c?.overdue ?? 0,
    },
    unread: c?.unread ?? 0,
  };
}

const hasThreads = (c: GroupCounts | undefined) =>
  c !== undefined && c['not-replied'] + c.replied + c.trash > 0;
