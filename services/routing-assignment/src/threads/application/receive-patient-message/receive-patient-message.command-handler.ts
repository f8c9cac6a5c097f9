import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { UnprocessableEvent } from '@gm/messaging';
import { OutboxRelayHost } from '@gm/service-kit';
import { openThread, receiveFollowUp } from '../../domain/thread.js';
import type { PatientMessage } from '../../domain/thread-state.js';
import { ThreadFactsAdapter } from '../../infrastructure/thread-facts.adapter.js';
import { NO_AUDIENCE, ThreadsRepository } from '../../infrastructure/threads.repository.js';
import { audienceChange } from '../thread-audience-change.js';
import { ThreadChanges } from '../thread-changes.js';
import { threadEvent, type Cause } from '../thread-events.js';
import { ReceivePatientMessageCommand, type Reception } from './receive-patient-message.command.js';

/**
 * Routes a thread's first message (MessageRouted), or takes a follow-up
 * into account (Not Replied again). Idempotent: a thread is created once
 * (its id is the document's `_id`), a message is counted once (its id is
 * kept). A group the settings replica does not hold yet leaves the thread
 * waiting rather than blocking the consumer (ADR 0011).
 */
@CommandHandler(ReceivePatientMessageCommand)
export class ReceivePatientMessageCommandHandler implements ICommandHandler<ReceivePatientMessageCommand> {
  constructor(
    private readonly threads: ThreadsRepository,
    private readonly facts: ThreadFactsAdapter,
    private readonly changes: ThreadChanges,
    private readonly relay: OutboxRelayHost,
  ) {}

  async execute({ message, cause }: ReceivePatientMessageCommand): Promise<Reception> {
    assertAddressed(message);
    if (await this.threads.find(message.practiceId, message.threadId)) {
      return this.followUp(message, cause);
    }
    const group =
      message.recipientKind === 'group'
        ? await this.facts.routingGroup(message.practiceId, message.groupId!)
        : null;
    const { state, change } = openThread(message, group, new Date().toISOString());
    const { audience, events: audienceEvents } = audienceChange(
      state,
      await this.facts.forThread(state, []),
      NO_AUDIENCE,
      cause,
    );
    const events = [...(change ? [threadEvent(state, change, cause)] : []), ...audienceEvents];
    if (await this.threads.insert(state, audience, events)) {
      if (events.length) this.relay.nudge();
      return change ? 'routed' : 'waiting-for-group';
    }
    // Inserted meanwhile (a redelivery racing this one), or the id is another practice's thread.
    if (await this.threads.find(message.practiceId, message.threadId)) {
      return this.followUp(message, cause);
    }
    throw new UnprocessableEvent('MessageSent names a thread id of another practice');
  }

  /** Any message not seen before on an existing thread is a follow-up: the patient wrote again. */
  private followUp(message: PatientMessage, cause: Cause): Promise<Reception> {
    return this.changes.apply(message.practiceId, message.threadId, cause, async (thread) => {
      if (thread.patientId !== message.patientId) {
        throw new UnprocessableEvent('MessageSent names a thread of another patient');
      }
      const next = receiveFollowUp(thread, message);
      return { result: next ? 'follow-up' : 'duplicate', quietly: next };
    });
  }
}

function assertAddressed(message: PatientMessage): void {
  if (message.recipientKind === 'group' && !message.groupId) {
    throw new UnprocessableEvent('MessageSent to a group carries no groupId');
  }
  if (message.recipientKind === 'member' && !message.memberId) {
    throw new UnprocessableEvent('MessageSent to a member carries no memberId');
  }
}
