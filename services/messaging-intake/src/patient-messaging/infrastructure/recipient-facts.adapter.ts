import { Injectable } from '@nestjs/common';
import { DirectoryReplica } from '@gm/directory-replica';
import { SettingsReplica } from '@gm/settings-replica';
import type { RecipientPolicyInputs } from '../domain/recipient-policy.js';

/**
 * The recipient policy's inputs for one patient, from this service's local
 * replicas (directory and settings, fed from Kafka): no call to another
 * service on the send path.
 */
@Injectable()
export class RecipientFactsAdapter {
  constructor(
    private readonly directory: DirectoryReplica,
    private readonly settings: SettingsReplica,
  ) {}

  async forPatient(practiceId: string, patientId: string): Promise<RecipientPolicyInputs> {
    const preferences = await this.settings.phrPreferences(practiceId);
    const settings = {
      allowPatientMessages: preferences.allowPatientMessages,
      patientMessagePreference: preferences.patientMessagePreference,
      memberRecipients: preferences.memberRecipients,
      excludedMemberIds: preferences.excludedMemberIds,
    };
    // Messaging off decides everything; nothing else needs reading.
    if (!settings.allowPatientMessages) {
      return { settings, plan: null, patient: null, groups: [], members: [] };
    }
    const [practice, patient, groups, members] = await Promise.all([
      this.directory.practice(practiceId),
      this.directory.patient(practiceId, patientId),
      this.settings.groupsOfPractice(practiceId),
      this.directory.membersOfPractice(practiceId),
    ]);
    return {
      settings,
      plan: practice?.plan ?? null,
      patient: patient && {
        facilityId: patient.facilityId,
        categoryIds: patient.categoryIds,
        careTeamMemberIds: patient.careTeamMemberIds,
        active: patient.active,
      },
      groups: groups.map((group) => ({
        groupId: group.groupId,
        name: group.name,
        description: group.description,
        facilityId: group.facilityId,
        patientCategoryId: group.patientCategoryId,
        members: group.members,
      })),
      members: members.map(({ memberId, displayName, active }) => ({
        memberId,
        displayName,
        active,
      })),
    };
  }
}
