import { TOPICS } from './topics.js';

/**
 * What consistency tokens (ADR 0018) need to agree on across services: the
 * id of an HTTP write, the one-letter code of each topic a token counts
 * events of, and which services react to which topics with events of their
 * own (so that a reader of those knows to wait for the reaction too).
 */

/** 16 random bytes, base64url: the `ce_writeid` of every event one HTTP write produced. */
export const isWriteId = (value: string): boolean => /^[A-Za-z0-9_-]{22}$/.test(value);

/** A token counts a write's events per topic, each topic named by one letter. Never reuse a letter. */
export const TOPIC_CODES: Readonly<Record<string, string>> = {
  [TOPICS.directoryPractices.name]: 'p',
  [TOPICS.directoryFacilities.name]: 'f',
  [TOPICS.directoryPatientCategories.name]: 'c',
  [TOPICS.directoryRoles.name]: 'r',
  [TOPICS.directoryMembers.name]: 'm',
  [TOPICS.directoryPatients.name]: 't',
  [TOPICS.messageGroups.name]: 'g',
  [TOPICS.phrPreferences.name]: 'h',
  [TOPICS.groupWorkflows.name]: 'w',
  [TOPICS.outOfOffice.name]: 'o',
  [TOPICS.patientMessages.name]: 's',
  [TOPICS.threads.name]: 'x',
  [TOPICS.threadNotes.name]: 'n',
  [TOPICS.accessAudit.name]: 'a',
  [TOPICS.analyticsThreads.name]: 'y',
};

const TOPIC_BY_CODE = new Map(Object.entries(TOPIC_CODES).map(([topic, code]) => [code, topic]));

export const topicOfCode = (code: string): string | undefined => TOPIC_BY_CODE.get(code);

/**
 * A service that writes events of its own in reaction to others' (routing
 * decides a thread's audience when a group, a member or a patient
 * changes). It publishes ReactionsPublished on gm.consistency once its
 * reactions are on `into`; a service reading `into` waits for that too.
 */
export interface Reactor {
  source: string;
  from: readonly string[];
  into: readonly string[];
}

export const REACTORS: readonly Reactor[] = [
  {
    source: '/services/routing-assignment',
    from: [
      TOPICS.directoryPractices.name,
      TOPICS.directoryFacilities.name,
      TOPICS.directoryPatientCategories.name,
      TOPICS.directoryRoles.name,
      TOPICS.directoryMembers.name,
      TOPICS.directoryPatients.name,
      TOPICS.messageGroups.name,
      TOPICS.phrPreferences.name,
      TOPICS.groupWorkflows.name,
      TOPICS.outOfOffice.name,
      TOPICS.patientMessages.name,
    ],
    into: [TOPICS.threads.name, TOPICS.accessAudit.name, TOPICS.analyticsThreads.name],
  },
];

/** The reactor a producing service is, if it is one. */
export const reactorOf = (source: string): Reactor | undefined =>
  REACTORS.find((reactor) => reactor.source === source);
