import { DEFAULT_WORKFLOW, workflowOf, type GroupWorkflow } from '../domain/group-workflow.js';
import type { StoredWorkflow } from '../infrastructure/group-workflows.repository.js';

/** A group's workflow as answered; a group that never set one has the defaults at version 0. */
export interface GroupWorkflowView extends GroupWorkflow {
  version: number;
  /** null: never set. */
  changedAt: string | null;
}

export const workflowView = (stored: StoredWorkflow | null): GroupWorkflowView =>
  stored
    ? { ...workflowOf(stored.workflow), version: stored.version, changedAt: stored.changedAt }
    : { ...workflowOf(DEFAULT_WORKFLOW), version: 0, changedAt: null };
