import {
  FacilityChangedV1,
  MemberChangedV1,
  PatientCategoryChangedV1,
  PatientChangedV1,
  PracticeChangedV1,
  RoleChangedV1,
} from '@gm/contracts';
import type { Producer } from 'kafkajs';
import { StateFeed } from './publish-event.js';

type Without<T> = Omit<T, 'practiceId' | 'version' | 'changedAt'>;

/**
 * Publishes directory state events for one practice straight onto the
 * directory topics, as practice-directory would: the contract is the
 * interface, so a service's tests can feed its replica without running the
 * directory. Versions grow per entity like the real directory's.
 */
export class DirectoryFeed extends StateFeed {
  constructor(producer: Producer, practiceId: string) {
    super(producer, practiceId, '/tests/directory-feed');
  }

  practice(state: Without<PracticeChangedV1>) {
    return this.publishState(PracticeChangedV1, `practice:${this.practiceId}`, state);
  }

  facility(state: Without<FacilityChangedV1>) {
    return this.publishState(FacilityChangedV1, `facility:${state.facilityId}`, state);
  }

  patientCategory(state: Without<PatientCategoryChangedV1>) {
    return this.publishState(PatientCategoryChangedV1, `category:${state.categoryId}`, state);
  }

  role(state: Without<RoleChangedV1>) {
    return this.publishState(RoleChangedV1, `role:${state.roleId}`, state);
  }

  member(state: Without<MemberChangedV1>) {
    return this.publishState(MemberChangedV1, `member:${state.memberId}`, state);
  }

  patient(state: Without<PatientChangedV1>) {
    return this.publishState(PatientChangedV1, `patient:${state.patientId}`, state);
  }
}
