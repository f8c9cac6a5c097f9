import { GroupWorkflowChangedV1 } from '@gm/contracts';
import type { PendingEvent } from '@gm/messaging';
import { workflowOf, type GroupWorkflow } from '../domain/group-workflow.js';
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
