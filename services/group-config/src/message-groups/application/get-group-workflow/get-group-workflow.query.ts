import { Query } from '@nestjs/cqrs';
import type { Caller } from '@gm/auth';
import type { GroupWorkflowView } from '../group-workflow-view.js';

export class GetGroupWorkflowQuery extends Query<GroupWorkflowView> {
  constructor(
    readonly caller: Caller,
    readonly groupId: string,
  ) {
    super();
  }
}
