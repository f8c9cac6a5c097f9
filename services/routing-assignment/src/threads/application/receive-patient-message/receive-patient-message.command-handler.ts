import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { UnprocessableEvent } from '@gm/messaging';
import { OutboxRelayHost } from '@gm/service-kit';
import { openThread, receiveFollowUp } from '../../domain/thread.js';
import type { PatientMessage } from '../../domain/thread-state.js';
import { GroupQueues } from '../../infrastructure/group-queues.js';
import { ThreadFactsAdapter } from '../../infrastructure/thread-facts.adapter.js';
import { ThreadsRepository } from '../../infrastructure/threads.repository.js';
import { ThreadChanges } from '../thread-changes.js';
import { PATIENT_PSEUDONYMS, type PatientPseudonyms } from '../patient-pseudonyms.port.js';
import type { Cause } from '../thread-events.js';
import { ReceivePatientMessageCommand, type Reception } from './receive-patient-message.command.js';
import { assertAddressed, threadOpening } from './thread-opening.js';

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
    private readonly queues: GroupQueues,
    @Inject(PATIENT_PSEUDONYMS) private readonly pseudonyms: PatientPseudonyms,
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
    const opened = openThread(message, group, new Date().toISOString());
    const opening = threadOpening(
      opened,
      await this.facts.forThread(opened.state, []),
      group?.workflow ?? null,
      this.pseudonyms,
      cause,
    );
    if (await this.threads.insert(opening.state, opening.audience, opening.events)) {
      if (opening.events.length) this.relay.nudge();
      await this.queues.changed(opening.state.practiceId, opening.state.groupId);
      return opening.reception;
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
      const next = receiveFollowUp(thread, message, new Date().toISOString());
      if (!next) return { result: 'duplicate' };
      return next.change
        ? { result: 'follow-up', transition: { state: next.state, change: next.change } }
        : { result: 'follow-up', quietly: next.state };
    });
  }
}
