import { Injectable } from '@nestjs/common';
import { DirectoryReplica } from '@gm/directory-replica';
import {
  OutOfOfficeReplica,
  periodAt,
  SettingsReplica,
  WorkflowReplica,
  type MemberAbsences,
} from '@gm/settings-replica';
import type { AccessFacts } from '../domain/thread-access.js';
import type { RoutingGroup } from '../domain/thread.js';
import type { ThreadState } from '../domain/thread-state.js';
import type { ThreadWorkflow } from '../domain/thread-workflow.js';

/** What the facts of a thread are looked up by. */
export type FactsSubject = Pick<
  ThreadState,
  'practiceId' | 'patientId' | 'routing' | 'groupId' | 'assigneeMemberId' | 'addresseeMemberId'
>;

function distinct(ids: readonly (string | null)[]): string[] {
  return [...new Set(ids.filter((id): id is string => id !== null))];
}

async function lookUp<T>(ids: string[], find: (id: string) => Promise<T | null>) {
  const found = await Promise.all(ids.map(async (id) => [id, await find(id)] as const));
  return new Map(found);
}

/** The practice's members out of office at `now`, each with the cover of the running period. */
function awayNow(absences: MemberAbsences[], now: string): Map<string, string | null> {
  const away = new Map<string, string | null>();
  for (const { memberId, periods } of absences) {
    const period = periodAt(periods, now);
    if (period) away.set(memberId, period.coverMemberId);
  }
  return away;
}

/**
 * What the thread rules need, answered from the local replicas: the group as
 * configured now (settings), the patient's care team and which members are
 * active (directory), who is out of office now and who covers for them.
 * Read at every decision, never cached.
 */
@Injectable()
export class ThreadFactsAdapter {
  constructor(
    private readonly directory: DirectoryReplica,
    private readonly settings: SettingsReplica,
    private readonly workflows: WorkflowReplica,
    private readonly absences: OutOfOfficeReplica,
  ) {}

  /** The group a message is written to, or null if the replica does not hold it (yet, or any more). */
  async routingGroup(practiceId: string, groupId: string): Promise<RoutingGroup | null> {
    const [group, workflow] = await Promise.all([
      this.settings.group(practiceId, groupId),
      this.workflows.workflow(practiceId, groupId),
    ]);
    return group ? { name: group.name, recipientMode: group.recipientMode, workflow } : null;
  }

  /** The workflow a thread follows: its group's; null for a direct message or a thread not routed. */
  async workflowOf(
    thread: Pick<ThreadState, 'practiceId' | 'groupId' | 'routing'>,
  ): Promise<ThreadWorkflow | null> {
    if (!thread.groupId || thread.routing === null || thread.routing === 'direct') return null;
    return this.workflows.workflow(thread.practiceId, thread.groupId);
  }

  /** Facts about the thread's group, patient and the members concerned (`memberIds` beyond those the thread names). */
  async forThread(thread: FactsSubject, memberIds: string[]): Promise<AccessFacts> {
    const [facts] = await this.forThreads(thread.practiceId, [thread], memberIds);
    return facts!;
  }

  /**
   * The facts of each thread, in order, from one read of each group, care
   * team and member they name (a change reconsidering a whole group reads
   * the group once, not once a thread). The active members are those of all
   * the threads together: a superset of each thread's, which the rules ask
   * only about the members that thread names.
   */
  async forThreads(
    practiceId: string,
    threads: readonly FactsSubject[],
    memberIds: string[],
  ): Promise<AccessFacts[]> {
    const groupIds = distinct(threads.map((t) => t.groupId));
    const patientIds = distinct(
      threads.map((t) => (t.routing === 'care-team' ? t.patientId : null)),
    );
    const [groups, patients, absences] = await Promise.all([
      lookUp(groupIds, (id) => this.settings.group(practiceId, id)),
      lookUp(patientIds, (id) => this.directory.patient(practiceId, id)),
      this.absences.ofPractice(practiceId),
    ]);
    const away = awayNow(absences, new Date().toISOString());
    const careTeamOf = (thread: FactsSubject) =>
      thread.routing === 'care-team'
        ? (patients.get(thread.patientId)?.careTeamMemberIds ?? [])
        : [];
    const concerned = [
      ...memberIds,
      ...threads.flatMap((thread) => [
        thread.assigneeMemberId,
        thread.addresseeMemberId,
        ...careTeamOf(thread),
      ]),
      ...[...groups.values()].flatMap((group) => group?.members.map((m) => m.memberId) ?? []),
      ...away.values(),
    ].filter((id): id is string => typeof id === 'string');
    const members = await this.directory.members(practiceId, concerned);
    const activeMemberIds = new Set(members.filter((m) => m.active).map((m) => m.memberId));
    return threads.map((thread) => {
      const group = thread.groupId ? groups.get(thread.groupId) : null;
      return {
        group: group ? { name: group.name, members: group.members } : null,
        careTeamMemberIds: careTeamOf(thread),
        activeMemberIds,
        away,
      };
    });
  }

  /** The groups the member belongs to now, Admin or User. */
  async groupsOfMember(practiceId: string, memberId: string): Promise<string[]> {
    const groups = await this.settings.groupsOfPractice(practiceId);
    return groups
      .filter((g) => g.members.some((m) => m.memberId === memberId))
      .map((g) => g.groupId);
  }

  /** The patients whose in-house care team holds the member now. */
  async patientsCaredForBy(practiceId: string, memberId: string): Promise<string[]> {
    const patients = await this.directory.patientsCaredForBy(practiceId, memberId);
    return patients.map((p) => p.patientId);
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
