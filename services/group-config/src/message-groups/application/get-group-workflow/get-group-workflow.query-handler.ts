import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { GroupWorkflowsRepository } from '../../infrastructure/group-workflows.repository.js';
import { GroupAccess } from '../group-access.js';
import { workflowView, type GroupWorkflowView } from '../group-workflow-view.js';
import { GetGroupWorkflowQuery } from './get-group-workflow.query.js';

@QueryHandler(GetGroupWorkflowQuery)
export class GetGroupWorkflowQueryHandler implements IQueryHandler<GetGroupWorkflowQuery> {
  constructor(
    private readonly access: GroupAccess,
    private readonly workflows: GroupWorkflowsRepository,
  ) {}

  async execute({ caller, groupId }: GetGroupWorkflowQuery): Promise<GroupWorkflowView> {
    await this.access.assertWorkflowAccess(caller, groupId, 'read');
    return workflowView(await this.workflows.find(caller.practiceId, groupId));
  }
}
