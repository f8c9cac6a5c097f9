import { Command } from '@nestjs/cqrs';
import type { Caller } from '@gm/auth';
import type { GroupWorkflow } from '../../domain/group-workflow.js';
import type { GroupWorkflowView } from '../group-workflow-view.js';

/** Replaces a group's workflow settings; `expectedVersion` (If-Match) guards against lost updates. */
export class ReplaceGroupWorkflowCommand extends Command<GroupWorkflowView> {
  constructor(
    readonly caller: Caller,
    readonly groupId: string,
    readonly draft: GroupWorkflow,
    readonly expectedVersion: number | undefined,
    readonly correlationId: string,
  ) {
    super();
  }
}
