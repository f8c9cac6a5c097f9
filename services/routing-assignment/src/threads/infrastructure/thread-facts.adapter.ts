import { Injectable } from '@nestjs/common';
import { DirectoryReplica } from '@gm/directory-replica';
import { SettingsReplica } from '@gm/settings-replica';
import type { AccessFacts } from '../domain/thread-access.js';
import type { RoutingGroup } from '../domain/thread.js';
import type { ThreadState } from '../domain/thread-state.js';

/**
 * What the thread rules need, answered from the local replicas: the group as
 * configured now (settings), the patient's care team and which members are
 * active (directory). Read at every decision, never cached.
 */
@Injectable()
export class ThreadFactsAdapter {
  constructor(
    private readonly directory: DirectoryReplica,
    private readonly settings: SettingsReplica,
  ) {}

  /** The group a message is written to, or null if the replica does not hold it (yet, or any more). */
  async routingGroup(practiceId: string, groupId: string): Promise<RoutingGroup | null> {
    const group = await this.settings.group(practiceId, groupId);
    return group ? { name: group.name, recipientMode: group.recipientMode } : null;
  }

  /** Facts about the thread's group, patient and the members concerned (`memberIds` beyond those the thread names). */
  async forThread(thread: ThreadState, memberIds: string[]): Promise<AccessFacts> {
    const { practiceId } = thread;
    const [group, patient] = await Promise.all([
      thread.groupId ? this.settings.group(practiceId, thread.groupId) : Promise.resolve(null),
      thread.routing === 'care-team'
        ? this.directory.patient(practiceId, thread.patientId)
        : Promise.resolve(null),
    ]);
    const careTeamMemberIds = patient?.careTeamMemberIds ?? [];
    const concerned = [
      ...memberIds,
      thread.assigneeMemberId,
      thread.addresseeMemberId,
      ...(group?.members.map((member) => member.memberId) ?? []),
      ...careTeamMemberIds,
    ].filter((id): id is string => typeof id === 'string');
    const members = await this.directory.members(practiceId, concerned);
    return {
      group: group ? { name: group.name, members: group.members } : null,
      careTeamMemberIds,
      activeMemberIds: new Set(members.filter((m) => m.active).map((m) => m.memberId)),
    };
  }

  /** The groups the member belongs to now, Admin or User. */
  async groupsOfMember(practiceId: string, memberId: string): Promise<string[]> {
    const groups = await this.settings.groupsOfPractice(practiceId);
    return groups
      .filter((g) => g.members.some((m) => m.memberId === memberId))
      .map((g) => g.groupId);
  }

  /**
   * The patients whose in-house care team holds the member now. The replica
   * lists a practice's patients whole: a member change is rare.
   */
  async patientsCaredForBy(practiceId: string, memberId: string): Promise<string[]> {
    const patients = await this.directory.patientsOfPractice(practiceId);
    return patients.filter((p) => p.careTeamMemberIds.includes(memberId)).map((p) => p.patientId);
  }

  async practiceName(practiceId: string): Promise<string | null> {
    return (await this.directory.practice(practiceId))?.name ?? null;
  }

  async isActiveMember(practiceId: string, memberId: string): Promise<boolean> {
    return (await this.directory.member(practiceId, memberId))?.active === true;
  }

  /** Staff names, for staff-only views. */
  async memberNames(practiceId: string, memberIds: string[]): Promise<Map<string, string>> {
    const members = await this.directory.members(practiceId, memberIds);
    return new Map(members.map((member) => [member.memberId, member.displayName]));
  }

  async patientName(practiceId: string, patientId: string): Promise<string | null> {
    return (await this.directory.patient(practiceId, patientId))?.displayName ?? null;
  }
}
