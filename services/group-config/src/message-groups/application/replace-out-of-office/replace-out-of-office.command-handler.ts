import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { OutboxRelayHost } from '@gm/service-kit';
import { randomUUID } from 'node:crypto';
import { MessageGroupRuleViolation } from '../../domain/message-group-errors.js';
import { checkOutOfOffice, samePeriods, withPeriodIds } from '../../domain/out-of-office.js';
import { OutOfOfficeRepository } from '../../infrastructure/out-of-office.repository.js';
import { PracticeFactsAdapter } from '../../infrastructure/practice-facts.adapter.js';
import { GroupAccess } from '../group-access.js';
import { outOfOfficeChangedEvent } from '../group-workflow-events.js';
import { outOfOfficeView, type OutOfOfficeView } from '../out-of-office-view.js';
import { ReplaceOutOfOfficeCommand } from './replace-out-of-office.command.js';

@CommandHandler(ReplaceOutOfOfficeCommand)
export class ReplaceOutOfOfficeCommandHandler implements ICommandHandler<ReplaceOutOfOfficeCommand> {
  constructor(
    private readonly access: GroupAccess,
    private readonly facts: PracticeFactsAdapter,
    private readonly outOfOffice: OutOfOfficeRepository,
    private readonly relay: OutboxRelayHost,
  ) {}

  async execute(command: ReplaceOutOfOfficeCommand): Promise<OutOfOfficeView> {
    const { caller, memberId, drafts, expectedVersion, correlationId } = command;
    const { practiceId } = caller;
    const groups = await this.access.assertOutOfOfficeAccess(caller, memberId);
    const now = new Date();
    const checked = await checkOutOfOffice(memberId, drafts, now, {
      memberStatuses: (ids) => this.facts.memberStatuses(practiceId, ids),
      groups: groups.map(({ state }) => state),
    });
    const stored = await this.outOfOffice.find(practiceId, memberId);
    const current = outOfOfficeView(memberId, stored, now);
    if (expectedVersion !== undefined && expectedVersion !== current.version)
      throw versionMoved(current.version);
    // Unchanged periods keep their ids. A replacement that changes nothing
    // (the current periods again; those that ended since drop out of answers
    // anyway) stores and publishes nothing: it answers the stored version (0
    // and no periods if never set), so repeating a PUT is idempotent.
    const periods = withPeriodIds(stored?.periods ?? [], checked, () => `ooo_${randomUUID()}`);
    if (samePeriods(periods, current.periods)) return current;
    const version = current.version + 1;
    const changedAt = now.toISOString();
    const event = outOfOfficeChangedEvent(
      practiceId,
      memberId,
      periods,
      version,
      changedAt,
      correlationId,
    );
    const written = await this.outOfOffice.write(
      practiceId,
      memberId,
      { periods, version, changedAt },
      event,
    );
    if (!written) throw versionMoved(current.version);
    this.relay.nudge();
    return { memberId, periods, version };
  }
}

const versionMoved = (version: number) =>
  new MessageGroupRuleViolation(
    'out-of-office-changed-meanwhile',
    `the out-of-office periods changed since version ${version} was read; reload and try again`,
    'conflict',
  );
