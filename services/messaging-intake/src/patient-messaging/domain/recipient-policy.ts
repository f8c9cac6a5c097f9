import {
  PatientMessagingRuleViolation,
  recipientNotAvailable,
} from './patient-messaging-errors.js';

export type PatientMessagePreference = 'groups-only' | 'members-only' | 'groups-and-members';
export type MemberRecipientScope = 'all-members' | 'care-team';

/** Settings > PHR Settings, as the practice saved them (or their defaults, ADR 0007). */
export interface PhrMessagingSettings {
  allowPatientMessages: boolean;
  patientMessagePreference: PatientMessagePreference;
  memberRecipients: MemberRecipientScope;
  excludedMemberIds: readonly string[];
}

export interface PatientFacts {
  /** null: the patient belongs to no facility, so only All Facilities groups serve them. */
  facilityId: string | null;
  categoryIds: readonly string[];
  /** The patient's in-house care team. */
  careTeamMemberIds: readonly string[];
  active: boolean;
}

export interface GroupFacts {
  groupId: string;
  name: string;
  description: string;
  /** null: All Facilities. */
  facilityId: string | null;
  /** null: All Patients. */
  patientCategoryId: string | null;
  members: readonly { memberId: string; privilege: 'admin' | 'user' }[];
}

export interface MemberFacts {
  memberId: string;
  displayName: string;
  active: boolean;
}

/** Everything the To list depends on, for one patient of one practice. */
export interface RecipientPolicyInputs {
  settings: PhrMessagingSettings;
  plan: 'free' | 'paid' | null;
  /** null: the directory does not know this patient. */
  patient: PatientFacts | null;
  groups: readonly GroupFacts[];
  /** The practice's members, active or not. */
  members: readonly MemberFacts[];
}

export type Recipient = { kind: 'group'; groupId: string } | { kind: 'member'; memberId: string };

/** Why a patient can send nothing. */
export type NoSendReason =
  'messaging-disabled' | 'patient-unknown' | 'patient-inactive' | 'no-recipients';

/** A group as the patient sees it: never its members (the product shows the Group name instead). */
export interface GroupEntry {
  groupId: string;
  name: string;
  description: string;
}

export interface MemberEntry {
  memberId: string;
  displayName: string;
}

/** The To field. */
export interface RecipientList {
  canSend: boolean;
  reason?: NoSendReason;
  groups: GroupEntry[];
  members: MemberEntry[];
}

const nothing = (reason: NoSendReason): RecipientList => ({
  canSend: false,
  reason,
  groups: [],
  members: [],
});

/** Group messaging is a paid-plan feature; a lapsed plan hides groups without touching their configuration. */
const offersGroups = ({ patientMessagePreference }: PhrMessagingSettings, plan: string | null) =>
  patientMessagePreference !== 'members-only' && plan === 'paid';

const offersMembers = ({ patientMessagePreference }: PhrMessagingSettings) =>
  patientMessagePreference !== 'groups-only';

function groupServes(
  group: GroupFacts,
  patient: PatientFacts,
  activeMembers: ReadonlyMap<string, MemberFacts>,
): boolean {
  const facility = group.facilityId === null || group.facilityId === patient.facilityId;
  const category =
    group.patientCategoryId === null || patient.categoryIds.includes(group.patientCategoryId);
  // ADR 0006: a group whose Admins are all deactivated is not offered until an Admin is set.
  const hasActiveAdmin = group.members.some(
    (member) => member.privilege === 'admin' && activeMembers.has(member.memberId),
  );
  return facility && category && hasActiveAdmin;
}

function memberCandidates(
  settings: PhrMessagingSettings,
  patient: PatientFacts,
  activeMembers: ReadonlyMap<string, MemberFacts>,
): MemberFacts[] {
  const scope =
    settings.memberRecipients === 'care-team'
      ? patient.careTeamMemberIds.flatMap((id) => activeMembers.get(id) ?? [])
      : [...activeMembers.values()];
  const excluded = new Set(settings.excludedMemberIds);
  return scope.filter((member) => !excluded.has(member.memberId));
}

const byText = (a: string, b: string) => a.localeCompare(b) || (a < b ? -1 : a > b ? 1 : 0);

/** The recipients this patient may pick, per the practice's settings and the directory. */
export function recipientList(inputs: RecipientPolicyInputs): RecipientList {
  const { settings, patient } = inputs;
  if (!settings.allowPatientMessages) return nothing('messaging-disabled');
  if (!patient) return nothing('patient-unknown');
  if (!patient.active) return nothing('patient-inactive');

  const activeMembers = new Map(
    inputs.members.filter((member) => member.active).map((member) => [member.memberId, member]),
  );
  const groups = offersGroups(settings, inputs.plan)
    ? inputs.groups
        .filter((group) => groupServes(group, patient, activeMembers))
        .map(({ groupId, name, description }) => ({ groupId, name, description }))
        .sort((a, b) => byText(a.name, b.name) || byText(a.groupId, b.groupId))
    : [];
  const members = offersMembers(settings)
    ? memberCandidates(settings, patient, activeMembers)
        .map(({ memberId, displayName }) => ({ memberId, displayName }))
        .sort((a, b) => byText(a.displayName, b.displayName) || byText(a.memberId, b.memberId))
    : [];
  if (!groups.length && !members.length) return nothing('no-recipients');
  return { canSend: true, groups, members };
}

const NO_SEND_MESSAGE: Record<Exclude<NoSendReason, 'no-recipients'>, string> = {
  'messaging-disabled': 'Your practice does not accept messages from the patient portal.',
  'patient-unknown': 'Your practice does not know your patient account (yet).',
  'patient-inactive': 'Your patient account cannot send messages.',
};

/**
 * The send-time re-check: the same rules as the To list, evaluated now, so a
 * stale screen cannot reach an excluded member or a hidden group.
 */
export function checkRecipient(inputs: RecipientPolicyInputs, recipient: Recipient): void {
  const list = recipientList(inputs);
  if (list.reason && list.reason !== 'no-recipients') {
    throw new PatientMessagingRuleViolation(list.reason, NO_SEND_MESSAGE[list.reason], 'forbidden');
  }
  const available =
    recipient.kind === 'group'
      ? list.groups.some((group) => group.groupId === recipient.groupId)
      : list.members.some((member) => member.memberId === recipient.memberId);
  if (!available) throw recipientNotAvailable();
}
