import {
  buildEnvelope,
  FacilityChangedV1,
  MemberChangedV1,
  PatientCategoryChangedV1,
  PatientChangedV1,
  PracticeChangedV1,
  RoleChangedV1,
  toWireRecord,
  type EventDefinition,
} from '@gm/contracts';
import type { Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';

type Without<T> = Omit<T, 'practiceId' | 'version' | 'changedAt'>;

/**
 * Publishes directory state events for one practice straight onto the
 * directory topics, as practice-directory would: the contract is the
 * interface, so a service's tests can feed its replica without running the
 * directory. Versions grow per entity like the real directory's.
 */
export class DirectoryFeed {
  private readonly versions = new Map<string, number>();

  constructor(
    private readonly producer: Producer,
    readonly practiceId: string,
  ) {}

  practice(state: Without<PracticeChangedV1>) {
    return this.publish(PracticeChangedV1, 'practice', this.practiceId, state);
  }

  facility(state: Without<FacilityChangedV1>) {
    return this.publish(FacilityChangedV1, 'facility', state.facilityId, state);
  }

  patientCategory(state: Without<PatientCategoryChangedV1>) {
    return this.publish(PatientCategoryChangedV1, 'category', state.categoryId, state);
  }

  role(state: Without<RoleChangedV1>) {
    return this.publish(RoleChangedV1, 'role', state.roleId, state);
  }

  member(state: Without<MemberChangedV1>) {
    return this.publish(MemberChangedV1, 'member', state.memberId, state);
  }

  patient(state: Without<PatientChangedV1>) {
    return this.publish(PatientChangedV1, 'patient', state.patientId, state);
  }

  private async publish<T>(
    definition: EventDefinition<T>,
    kind: string,
    id: string,
    state: object,
  ): Promise<number> {
    const key = `${kind}:${id}`;
    const version = (this.versions.get(key) ?? 0) + 1;
    this.versions.set(key, version);
    const changedAt = new Date().toISOString();
    const data = { ...state, practiceId: this.practiceId, version, changedAt } as T;
    const envelope = buildEnvelope(definition, data, {
      id: randomUUID(),
      source: '/tests/directory-feed',
      time: changedAt,
      practiceId: this.practiceId,
      correlationId: randomUUID(),
    });
    await this.producer.send({
      topic: definition.topic.name,
      acks: -1,
      messages: [toWireRecord(envelope)],
    });
    return version;
  }
}
