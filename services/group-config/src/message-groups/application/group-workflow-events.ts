import { GroupWorkflowChangedV1 } from '@gm/contracts';
import type { PendingEvent } from '@gm/messaging';
import { workflowOf, type GroupWorkflow } from '../domain/group-workflow.js';
import { pending } from './message-group-events.js';

/**
 * Automatic assignment is not offered yet (routing does not act on it): every
 * workflow is published with assignment by hand, as the contract's default.
 */
const ASSIGNMENT_BY_HAND = { mode: 'off', capacity: null } as const;

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
      ...workflowOf(workflow),
      assignment: { ...ASSIGNMENT_BY_HAND },
      version,
      changedAt,
    },
    practiceId,
    correlationId,
    changedAt,
  );
}
