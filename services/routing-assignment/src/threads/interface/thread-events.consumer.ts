import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { inRuns } from '@gm/messaging';
import {
  GroupWorkflowChangedV1,
  MemberChangedV1,
  MemberOutOfOfficeChangedV1,
  MessageGroupCreatedV1,
  MessageGroupDeletedV1,
  MessageGroupUpdatedV1,
  MessageSentV1,
  PatientChangedV1,
  TOPICS,
  type EventEnvelope,
} from '@gm/contracts';
import { DIRECTORY_TOPICS, DirectoryReplica } from '@gm/directory-replica';
import {
  OUT_OF_OFFICE_TOPICS,
  OutOfOfficeReplica,
  SETTINGS_TOPICS,
  SettingsReplica,
  WORKFLOW_TOPICS,
  WorkflowReplica,
} from '@gm/settings-replica';
import { HandOverThreadsCommand } from '../application/hand-over-threads/hand-over-threads.command.js';
import { ReceivePatientMessageCommand } from '../application/receive-patient-message/receive-patient-message.command.js';
import { ReceivePatientMessagesCommand } from '../application/receive-patient-messages/receive-patient-messages.command.js';
import type { PatientMessage } from '../domain/thread-state.js';
import { GroupQueues } from '../infrastructure/group-queues.js';
import { RouteWaitingThreadsCommand } from '../application/route-waiting-threads/route-waiting-threads.command.js';
import type { Cause } from '../application/thread-events.js';
import { ReconsiderThreadsCommand } from '../application/reconsider-threads/reconsider-threads.command.js';

/**
 * Everything this service consumes, in one consumer group: the directory,
 * settings, groups' workflows and members' out-of-office periods it keeps
 * replicas of, and the patients' messages. A replica
 * change is applied first, then its consequences for threads are derived
 * from the replica's current state (so a late, stale event changes nothing).
 */
@Injectable()
export class ThreadEventsConsumer {
  readonly topics = [
    ...DIRECTORY_TOPICS,
    ...SETTINGS_TOPICS,
    ...WORKFLOW_TOPICS,
    ...OUT_OF_OFFICE_TOPICS,
    TOPICS.patientMessages.name,
  ];

  constructor(
    private readonly directory: DirectoryReplica,
    private readonly settings: SettingsReplica,
    private readonly workflows: WorkflowReplica,
    private readonly absences: OutOfOfficeReplica,
    private readonly queues: GroupQueues,
    private readonly commands: CommandBus,
  ) {}

  /**
   * Events of one partition in their order: runs of consecutive MessageSent
   * are received together (ReceivePatientMessages); a directory or settings
   * event is applied in its place between them.
   */
  async handleBatch(envelopes: EventEnvelope[]): Promise<void> {
    await inRuns(
      envelopes,
      (envelope) => envelope.type === MessageSentV1.type,
      (sent) =>
        this.commands.execute(
          new ReceivePatientMessagesCommand(
            sent.map((envelope) => ({
              message: patientMessage(envelope),
              cause: causeOf(envelope),
            })),
          ),
        ),
      (envelope) => this.handle(envelope),
    );
  }

  async handle(envelope: EventEnvelope): Promise<void> {
    const cause = causeOf(envelope);
    if (this.directory.handles(envelope.type)) {
      await this.directory.apply(envelope);
      await this.afterDirectoryChange(envelope, cause);
    } else if (this.settings.handles(envelope.type)) {
      await this.settings.apply(envelope);
      await this.afterSettingsChange(envelope, cause);
    } else if (this.workflows.handles(envelope.type)) {
      // A wait's deadlines are fixed when it begins: a new workflow applies to later waits.
      // Automatic assignment, newly on or with more capacity, may take the group's queue now.
      await this.workflows.apply(envelope);
      const { practiceId, groupId } = envelope.data as GroupWorkflowChangedV1;
      await this.queues.changed(practiceId, groupId);
    } else if (this.absences.handles(envelope.type)) {
      // Handed over now (a reader with the write's token sees it done); the deadline timer
      // does it again at each boundary of the periods.
      await this.absences.apply(envelope);
      const { practiceId, memberId } = envelope.data as MemberOutOfOfficeChangedV1;
      await this.commands.execute(new HandOverThreadsCommand(practiceId, memberId, cause));
    } else if (envelope.type === MessageSentV1.type) {
      await this.commands.execute(
        new ReceivePatientMessageCommand(patientMessage(envelope), cause),
      );
    }
  }

  private async afterDirectoryChange(envelope: EventEnvelope, cause: Cause): Promise<void> {
    const { practiceId } = envelope;
    if (envelope.type === MemberChangedV1.type) {
      // Any change: a deactivation takes rights away, a reactivation gives them back.
      const { memberId } = envelope.data as MemberChangedV1;
      await this.commands.execute(
        new ReconsiderThreadsCommand(practiceId, { trigger: 'member-changed', memberId }, cause),
      );
    } else if (envelope.type === PatientChangedV1.type) {
      const { patientId } = envelope.data as PatientChangedV1;
      await this.commands.execute(
        new ReconsiderThreadsCommand(
          practiceId,
          { trigger: 'care-team-changed', patientId },
          cause,
        ),
      );
    }
  }

  private async afterSettingsChange(envelope: EventEnvelope, cause: Cause): Promise<void> {
    const { practiceId, groupId } = envelope.data as MessageGroupUpdatedV1;
    if (
      envelope.type === MessageGroupCreatedV1.type ||
      envelope.type === MessageGroupUpdatedV1.type
    ) {
      await this.commands.execute(new RouteWaitingThreadsCommand(practiceId, groupId, cause));
      // New Users, or a care team's group, may take its queue.
      await this.queues.changed(practiceId, groupId);
    } else if (envelope.type !== MessageGroupDeletedV1.type) {
      return;
    }
    // A deleted group's threads leave every audience.
    await this.commands.execute(
      new ReconsiderThreadsCommand(practiceId, { trigger: 'group-changed', groupId }, cause),
    );
  }
}

const causeOf = (envelope: EventEnvelope): Cause => ({
  correlationId: envelope.correlationId,
  causationId: envelope.id,
});

/** What routing needs of a MessageSent: never its subject or body (PHI stays at the intake and the read model). */
function patientMessage(envelope: EventEnvelope): PatientMessage {
  const { subject: _subject, body: _body, ...message } = envelope.data as MessageSentV1;
  return message;
}
