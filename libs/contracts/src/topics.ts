import type { TopicDefinition } from './event-definition.js';

/**
 * Every topic of the system. State topics are compacted (key = entity id) so a
 * new replica rebuilds from them; thread topics keep every fact, keyed by
 * thread id so one thread's events stay in order.
 */
export const TOPICS = {
  directoryPractices: {
    name: 'gm.directory.practices',
    compacted: true,
    partitions: 3,
    key: 'practiceId',
    phi: true,
    description: 'Current state of each practice (name, subscription plan).',
  },
  directoryFacilities: {
    name: 'gm.directory.facilities',
    compacted: true,
    partitions: 3,
    key: 'facilityId',
    phi: true,
    description: 'Current state of each facility of a practice.',
  },
  directoryPatientCategories: {
    name: 'gm.directory.patient-categories',
    compacted: true,
    partitions: 3,
    key: 'categoryId',
    phi: true,
    description: 'Current state of each patient category of a practice.',
  },
  directoryRoles: {
    name: 'gm.directory.roles',
    compacted: true,
    partitions: 3,
    key: 'roleId',
    phi: true,
    description: 'Current state of each role and the privileges it grants.',
  },
  directoryMembers: {
    name: 'gm.directory.members',
    compacted: true,
    partitions: 3,
    key: 'memberId',
    phi: true,
    description: 'Current state of each practice member (staff): role, active.',
  },
  directoryPatients: {
    name: 'gm.directory.patients',
    compacted: true,
    partitions: 3,
    key: 'patientId',
    phi: true,
    description: 'Current state of each patient: facility, categories, in-house care team.',
  },
  messageGroups: {
    name: 'gm.message-groups',
    compacted: true,
    partitions: 3,
    key: 'groupId',
    phi: true,
    description: 'Message group configuration, full state on every change.',
  },
  groupWorkflows: {
    name: 'gm.group-workflows',
    compacted: true,
    partitions: 3,
    key: 'groupId',
    phi: true,
    description:
      "Each group's workflow settings (response target, business hours, acknowledgement, return to queue, automatic assignment), full state on every change.",
  },
  outOfOffice: {
    name: 'gm.out-of-office',
    compacted: true,
    partitions: 3,
    key: 'memberId',
    phi: true,
    description: "Each member's out-of-office periods and covers, full state on every change.",
  },
  phrPreferences: {
    name: 'gm.phr-preferences',
    compacted: true,
    partitions: 3,
    key: 'practiceId',
    phi: true,
    description: 'PHR messaging preferences of each practice, full state on every change.',
  },
  patientMessages: {
    name: 'gm.patient-messages',
    compacted: false,
    partitions: 6,
    key: 'threadId',
    phi: true,
    description: 'Messages written by patients (first message of a thread and follow-ups).',
  },
  threads: {
    name: 'gm.threads',
    compacted: false,
    partitions: 6,
    key: 'threadId',
    phi: true,
    description: "A thread's lifecycle on the practice side: routing, assignment, replies, trash.",
  },
  threadNotes: {
    name: 'gm.thread-notes',
    compacted: false,
    partitions: 6,
    // Keyed like gm.threads, so one thread's notes stay in order.
    key: 'threadId',
    phi: true,
    description:
      'Staff-only internal notes on a patient thread. Never for anything a patient reads. Contains PHI.',
  },
  accessAudit: {
    name: 'gm.access-audit',
    compacted: false,
    partitions: 6,
    // One practice's audit trail stays in order on one partition; the trail is read per practice.
    key: 'practiceId',
    phi: true,
    description:
      'HIPAA access audit: who read or changed which thread, when and from where. Ids only, never message text or names.',
    // Seven years: the HIPAA six-year retention of audit documentation, plus a margin.
    retentionMs: 7 * 365 * 24 * 60 * 60 * 1000,
  },
  consistency: {
    name: 'gm.consistency',
    compacted: false,
    partitions: 3,
    key: 'practiceId',
    phi: true,
    description:
      "Progress of a service that reacts to other services' events: which events of an HTTP write it has applied, and where its own topics stood once everything it wrote for them was published (read-your-writes, ADR 0018). Ids and offsets only.",
    // A consistency token is honoured for an hour (CONSISTENCY_TOKEN_RETENTION_MS); a day is ample.
    retentionMs: 24 * 60 * 60 * 1000,
  },
  analyticsThreads: {
    name: 'gm.analytics.threads',
    compacted: false,
    partitions: 6,
    // Keyed like gm.threads, so one thread's facts stay in order.
    key: 'threadId',
    phi: false,
    description:
      "PHI-free facts of each patient thread's life for analytics: ids, known words, timings and a pseudonymous patient key; never a subject, body, name or free text.",
    // Two years of history for reports and trends.
    retentionMs: 2 * 365 * 24 * 60 * 60 * 1000,
  },
} as const satisfies Record<string, TopicDefinition>;

export const ALL_TOPICS: TopicDefinition[] = Object.values(TOPICS);

/** Dead letters of one consuming service: the original record plus the reason. */
export const deadLetterTopic = (consumerGroup: string): string => `gm.dead-letter.${consumerGroup}`;
