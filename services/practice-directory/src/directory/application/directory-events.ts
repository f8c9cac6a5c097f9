import {
  buildEnvelope,
  FacilityChangedV1,
  MemberChangedV1,
  PatientCategoryChangedV1,
  PatientChangedV1,
  PracticeChangedV1,
  RoleChangedV1,
  type EventDefinition,
} from '@gm/contracts';
import { newEventMetadata, type PendingEvent } from '@gm/messaging';
import type { DirectoryKind, DirectoryRecords } from '../domain/directory-records.js';

const DEFINITIONS: Record<DirectoryKind, EventDefinition<unknown>> = {
  practice: PracticeChangedV1 as EventDefinition<unknown>,
  facility: FacilityChangedV1 as EventDefinition<unknown>,
  'patient-category': PatientCategoryChangedV1 as EventDefinition<unknown>,
  role: RoleChangedV1 as EventDefinition<unknown>,
  member: MemberChangedV1 as EventDefinition<unknown>,
  patient: PatientChangedV1 as EventDefinition<unknown>,
};

export const DIRECTORY_SOURCE = '/services/practice-directory';

/** The state event of a directory entry: its full state and version. */
export function directoryChanged<K extends DirectoryKind>(
  kind: K,
  state: DirectoryRecords[K],
  version: number,
  correlationId: string,
): PendingEvent {
  const definition = DEFINITIONS[kind];
  const metadata = newEventMetadata({
    source: DIRECTORY_SOURCE,
    practiceId: state.practiceId,
    correlationId,
  });
  const data = { ...state, version, changedAt: metadata.time };
  return { definition, envelope: buildEnvelope(definition, data, metadata) };
}
