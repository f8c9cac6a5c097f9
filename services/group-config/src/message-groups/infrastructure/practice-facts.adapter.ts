import { Injectable } from '@nestjs/common';
import { DirectoryReplica } from '@gm/directory-replica';
import type { MemberStatus, PracticeFacts } from '../domain/message-group.js';

/** The domain's view of the practice, answered from the local directory replica. */
@Injectable()
export class PracticeFactsAdapter {
  constructor(private readonly directory: DirectoryReplica) {}

  async forPractice(practiceId: string): Promise<PracticeFacts> {
    const practice = await this.directory.practice(practiceId);
    return {
      plan: practice?.plan ?? null,
      facilityExists: async (id) =>
        (await this.directory.facility(practiceId, id))?.active === true,
      patientCategoryExists: async (id) =>
        (await this.directory.patientCategory(practiceId, id))?.active === true,
      memberStatuses: (ids) => this.memberStatuses(practiceId, ids),
    };
  }

  async memberStatuses(practiceId: string, ids: string[]): Promise<Map<string, MemberStatus>> {
    const members = await this.directory.members(practiceId, ids);
    const statuses = new Map<string, MemberStatus>(ids.map((id) => [id, 'unknown']));
    for (const member of members)
      statuses.set(member.memberId, member.active ? 'active' : 'inactive');
    return statuses;
  }

  async displayNames(practiceId: string, ids: string[]): Promise<Map<string, string>> {
    const members = await this.directory.members(practiceId, ids);
    return new Map(members.map((member) => [member.memberId, member.displayName]));
  }
}
