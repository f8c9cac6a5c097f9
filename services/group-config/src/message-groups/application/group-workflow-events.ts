import { GroupWorkflowChangedV1, MemberOutOfOfficeChangedV1 } from '@gm/contracts';
import type { PendingEvent } from '@gm/messaging';
import { workflowOf, type GroupWorkflow } from '../domain/group-workflow.js';
import { periodOf, type OutOfOfficePeriod } from '../domain/out-of-office.js';
import { pending } from './message-group-events.js';

/** The full workflow state (compacted topic, key = group id). */
export function workflowChangedEvent(
  practiceId: string,
  groupId: string,
  workflow: GroupWorkflow,
  version: number,
  changedAt: string,
  correlationId: string,
): PendingEvent {
  return pending(
    GroupWorkflowChangedV1,
    {
      practiceId,
      groupId,
      // The settings as stored, automatic assignment included.
      ...workflowOf(workflow),
      version,
      changedAt,
    },
    practiceId,
    correlationId,
    changedAt,
  );
}

/** Every period of a member, ordered by start: the full state (compacted topic, key = member id). */
export function outOfOfficeChangedEvent(
  practiceId: string,
  memberId: string,
  periods: readonly OutOfOfficePeriod[],
  version: number,
  changedAt: string,
  correlationId: string,
): PendingEvent {
  return pending(
    MemberOutOfOfficeChangedV1,
    { practiceId, memberId, periods: periods.map(periodOf), version, changedAt },
    practiceId,
    correlationId,
    changedAt,
  );
}
