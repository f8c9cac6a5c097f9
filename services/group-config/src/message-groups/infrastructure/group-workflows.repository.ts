import { Inject, Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import {
  isDuplicateKeyError,
  OutboxCollection,
  type DocumentLocks,
  type OutboxFields,
  type PendingEvent,
} from '@gm/messaging';
import { DOCUMENT_LOCKS } from '@gm/service-kit';
import type { Collection } from 'mongodb';
import type { Connection } from 'mongoose';
import { ASSIGNMENT_OFF, type GroupWorkflow } from '../domain/group-workflow.js';

export const GROUP_WORKFLOWS_COLLECTION = 'group_workflows';

/** Workflows stored before automatic assignment was offered have no `assignment`. */
type StoredGroupWorkflow = Omit<GroupWorkflow, 'assignment'> &
  Partial<Pick<GroupWorkflow, 'assignment'>>;

interface GroupWorkflowDocument extends Partial<OutboxFields> {
  /** `${practiceId}:${groupId}`. */
  _id: string;
  practiceId: string;
  groupId: string;
  workflow: StoredGroupWorkflow;
  version: number;
  changedAt: string;
}

export interface StoredWorkflow {
  workflow: GroupWorkflow;
  version: number;
  changedAt: string;
}

const workflowId = (practiceId: string, groupId: string) => `${practiceId}:${groupId}`;

/** A group's workflow settings: state, version and outbox in one document. */
@Injectable()
export class GroupWorkflowsRepository {
  private readonly workflows: Collection<GroupWorkflowDocument>;
  private readonly writes: OutboxCollection<GroupWorkflowDocument>;

  constructor(
    @InjectConnection() connection: Connection,
    @Inject(DOCUMENT_LOCKS) locks: DocumentLocks,
  ) {
    this.workflows = connection.collection(
      GROUP_WORKFLOWS_COLLECTION,
    ) as unknown as Collection<GroupWorkflowDocument>;
    this.writes = new OutboxCollection(this.workflows, locks);
  }

  async ensureIndexes(): Promise<void> {
    await this.workflows.createIndex({ _outboxPending: 1 });
  }

  async find(practiceId: string, groupId: string): Promise<StoredWorkflow | null> {
    const document = await this.workflows.findOne({ _id: workflowId(practiceId, groupId) });
    if (!document || document.practiceId !== practiceId) return null;
    const { assignment, ...settings } = document.workflow;
    return {
      // Stored before automatic assignment was offered: assignment by hand, as published then.
      workflow: { ...settings, assignment: assignment ?? { ...ASSIGNMENT_OFF } },
      version: document.version,
      changedAt: document.changedAt,
    };
  }

  /**
   * Stores `stored` (version n + 1) with its event in one document write, if
   * the stored version is still n (0: none stored yet); false if it moved on.
   */
  async write(
    practiceId: string,
    groupId: string,
    stored: StoredWorkflow,
    event: PendingEvent,
  ): Promise<boolean> {
    const _id = workflowId(practiceId, groupId);
    const { workflow, version, changedAt } = stored;
    if (version === 1) {
      try {
        await this.writes.insert({ _id, practiceId, groupId, workflow, version, changedAt }, [
          event,
        ]);
        return true;
      } catch (error) {
        if (isDuplicateKeyError(error)) return false;
        throw error;
      }
    }
    return this.writes.update(
      _id,
      { version: version - 1 },
      { $set: { workflow, version, changedAt } },
      [event],
    );
  }
}
