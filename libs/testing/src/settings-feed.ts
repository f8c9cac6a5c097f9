import {
  GroupWorkflowChangedV1,
  MemberOutOfOfficeChangedV1,
  MessageGroupCreatedV1,
  MessageGroupDeletedV1,
  MessageGroupUpdatedV1,
  PhrMessagingPreferencesUpdatedV1,
  type MessageGroupStateV1,
} from '@gm/contracts';
import type { Producer } from 'kafkajs';
import { StateFeed } from './publish-event.js';

type Stamped = 'practiceId' | 'version' | 'changedAt';
type Optional = 'description' | 'facilityId' | 'patientCategoryId';

/** A group's state; description, facility and patient category default to none (All). */
export type GroupState = Omit<MessageGroupStateV1, Stamped | Optional> &
  Partial<Pick<MessageGroupStateV1, Optional>>;

export type PreferencesState = Omit<PhrMessagingPreferencesUpdatedV1, Stamped>;

/** A group's workflow settings; whatever is left out is none (assignment by hand). */
export type WorkflowState = Pick<GroupWorkflowChangedV1, 'groupId'> &
  Partial<Omit<GroupWorkflowChangedV1, Stamped | 'groupId'>>;

/**
 * Publishes message group, workflow, out-of-office and PHR preference state
 * for one practice straight onto the settings topics, as group-config and
 * phr-preferences would, so a
 * service's tests can feed its settings replica without running them.
 * Versions grow per group (and for the preferences) like the owners'.
 */
export class SettingsFeed extends StateFeed {
  constructor(producer: Producer, practiceId: string) {
    super(producer, practiceId, '/tests/settings-feed');
  }

  /** MessageGroupCreated the first time a group id is published, MessageGroupUpdated after. */
  group(state: GroupState): Promise<number> {
    const key = `group:${state.groupId}`;
    const definition = this.published(key) ? MessageGroupUpdatedV1 : MessageGroupCreatedV1;
    const defaults = { description: '', facilityId: null, patientCategoryId: null };
    return this.publishState(definition, key, { ...defaults, ...state });
  }

  deleteGroup(groupId: string, name: string): Promise<number> {
    return this.publishState(MessageGroupDeletedV1, `group:${groupId}`, { groupId, name });
  }

  workflow(state: WorkflowState): Promise<number> {
    const defaults = {
      responseTargetSeconds: null,
      businessHours: null,
      acknowledgement: null,
      returnToQueueSeconds: null,
      assignment: { mode: 'off' as const, capacity: null },
    };
    return this.publishState(GroupWorkflowChangedV1, `workflow:${state.groupId}`, {
      ...defaults,
      ...state,
    });
  }

  /** A member's out-of-office periods, full state as group-config publishes it. */
  outOfOffice(memberId: string, periods: MemberOutOfOfficeChangedV1['periods']): Promise<number> {
    return this.publishState(MemberOutOfOfficeChangedV1, `out-of-office:${memberId}`, {
      memberId,
      periods,
    });
  }

  preferences(state: PreferencesState): Promise<number> {
    return this.publishState(PhrMessagingPreferencesUpdatedV1, 'preferences', state);
  }
}
