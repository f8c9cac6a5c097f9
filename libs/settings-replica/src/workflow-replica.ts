import { GroupWorkflowChangedV1, TOPICS, type EventEnvelope } from '@gm/contracts';
import {
  oneAtATime,
  versionCheckedUpsert,
  type ApplyOutcome,
  type StoredState,
} from '@gm/directory-replica';
import { UnprocessableEvent } from '@gm/messaging';
import type { Collection, Db } from 'mongodb';

export const WORKFLOW_TOPICS: string[] = [TOPICS.groupWorkflows.name];

export type GroupWorkflow = Omit<GroupWorkflowChangedV1, 'practiceId' | 'groupId' | 'changedAt'>;

/**
 * The workflow of a group that never set one: no target, always open, no
 * acknowledgement, no return to queue, assignment by hand. Part of the
 * contract: consumers read the absence of an event this way.
 */
export const DEFAULT_GROUP_WORKFLOW: GroupWorkflow = {
  responseTargetSeconds: null,
  businessHours: null,
  acknowledgement: null,
  returnToQueueSeconds: null,
  assignment: { mode: 'off', capacity: null },
  version: 0,
};

/**
 * Groups' workflow settings as group-config published them: version-checked
 * full states like the settings replica, kept apart from it because only
 * routing acts on them.
 */
export class WorkflowReplica {
  private readonly workflows: Collection<StoredState>;

  constructor(private readonly db: Db) {
    this.workflows = db.collection<StoredState>('settings_group_workflows');
  }

  handles(type: string): boolean {
    return type === GroupWorkflowChangedV1.type;
  }

  apply(envelope: EventEnvelope): Promise<ApplyOutcome> {
    if (!this.handles(envelope.type)) {
      throw new UnprocessableEvent(`${envelope.type} is not a workflow event`);
    }
    const data = envelope.data as GroupWorkflowChangedV1;
    const _id = `${data.practiceId}:${data.groupId}`;
    // Derived, for the lookup of the groups whose queue assigns itself.
    const automatic = data.assignment.mode !== 'off';
    return oneAtATime(`${this.db.databaseName}/workflows/${_id}`, () =>
      versionCheckedUpsert(this.workflows, _id, { ...data, automatic }),
    );
  }

  async ensureIndexes(): Promise<void> {
    await this.workflows.createIndex({ automatic: 1 });
  }

  /** Every group that assigns its queue automatically. */
  async automaticGroups(): Promise<{ practiceId: string; groupId: string }[]> {
    const documents = await this.workflows
      .find({ automatic: true }, { projection: { practiceId: 1, groupId: 1 } })
      .toArray();
    return documents.map((d) => ({ practiceId: String(d.practiceId), groupId: String(d.groupId) }));
  }

  /** The group's workflow, or the defaults (version 0) if it never set one. */
  async workflow(practiceId: string, groupId: string): Promise<GroupWorkflow> {
    const document = await this.workflows.findOne({ _id: `${practiceId}:${groupId}` });
    if (!document) return DEFAULT_GROUP_WORKFLOW;
    const {
      _id,
      practiceId: _p,
      groupId: _g,
      changedAt: _c,
      automatic: _a,
      ...workflow
    } = document;
    void [_id, _p, _g, _c, _a];
    return workflow as unknown as GroupWorkflow;
  }
}
