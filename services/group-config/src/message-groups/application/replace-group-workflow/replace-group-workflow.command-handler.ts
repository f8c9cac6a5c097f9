import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { OutboxRelayHost } from '@gm/service-kit';
import { checkGroupWorkflow, sameWorkflow } from '../../domain/group-workflow.js';
import { MessageGroupRuleViolation } from '../../domain/message-group-errors.js';
import { GroupWorkflowsRepository } from '../../infrastructure/group-workflows.repository.js';
import { GroupAccess } from '../group-access.js';
import { workflowChangedEvent } from '../group-workflow-events.js';
import { workflowView, type GroupWorkflowView } from '../group-workflow-view.js';
import { ReplaceGroupWorkflowCommand } from './replace-group-workflow.command.js';

@CommandHandler(ReplaceGroupWorkflowCommand)
export class ReplaceGroupWorkflowCommandHandler implements ICommandHandler<ReplaceGroupWorkflowCommand> {
  constructor(
    private readonly access: GroupAccess,
    private readonly workflows: GroupWorkflowsRepository,
    private readonly relay: OutboxRelayHost,
  ) {}

  async execute(command: ReplaceGroupWorkflowCommand): Promise<GroupWorkflowView> {
    const { caller, groupId, draft, expectedVersion, correlationId } = command;
    await this.access.assertWorkflowAccess(caller, groupId, 'edit');
    const workflow = checkGroupWorkflow(draft);
    const current = workflowView(await this.workflows.find(caller.practiceId, groupId));
    if (expectedVersion !== undefined && expectedVersion !== current.version)
      throw versionMoved(current.version);
    // A replacement that changes nothing stores and publishes nothing: it
    // answers the stored version (0 and the defaults if never set), so
    // repeating a PUT is idempotent and consumers see only real changes.
    if (sameWorkflow(workflow, current)) return current;
    const version = current.version + 1;
    const changedAt = new Date().toISOString();
    const event = workflowChangedEvent(
      caller.practiceId,
      groupId,
      workflow,
      version,
      changedAt,
      correlationId,
    );
    const written = await this.workflows.write(
      caller.practiceId,
      groupId,
      { workflow, version, changedAt },
      event,
    );
    if (!written) throw versionMoved(current.version);
    this.relay.nudge();
    return { ...workflow, version, changedAt };
  }
}

const versionMoved = (version: number) =>
  new MessageGroupRuleViolation(
    'workflow-changed-meanwhile',
    `the group's workflow changed since version ${version} was read; reload and try again`,
    'conflict',
  );
