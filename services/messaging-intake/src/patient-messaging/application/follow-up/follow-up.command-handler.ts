import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { OutboxRelayHost } from '@gm/service-kit';
import { PatientMessagingRuleViolation } from '../../domain/patient-messaging-errors.js';
import { checkRecipient } from '../../domain/recipient-policy.js';
import { earlierSend, followUp, ownThread } from '../../domain/thread.js';
import type { ClientChannels } from '../../domain/patient-channel.js';
import { RecipientFactsAdapter } from '../../infrastructure/recipient-facts.adapter.js';
import { ThreadsRepository } from '../../infrastructure/threads.repository.js';
import { sendEvents } from '../message-sent-event.js';
import { CLIENT_CHANNELS, sendContext } from '../send-context.js';
import { PatientSends, type SendOutcome } from '../patient-sends.js';
import { newMessageId } from '../send-ids.js';
import { FollowUpCommand } from './follow-up.command.js';

/** Concurrent follow-ups of one thread do not conflict in meaning: the loser simply tries again. */
const APPEND_ATTEMPTS = 3;

@CommandHandler(FollowUpCommand)
export class FollowUpCommandHandler implements ICommandHandler<FollowUpCommand> {
  constructor(
    private readonly sends: PatientSends,
    private readonly facts: RecipientFactsAdapter,
    private readonly threads: ThreadsRepository,
    private readonly relay: OutboxRelayHost,
    @Inject(CLIENT_CHANNELS) private readonly channels: ClientChannels,
  ) {}

  execute(command: FollowUpCommand): Promise<SendOutcome> {
    return this.sends.run(command.caller, command.request, () => this.followUp(command));
  }

  private async followUp(command: FollowUpCommand): Promise<SendOutcome> {
    const { caller, threadId, request, correlationId } = command;
    const patient = { practiceId: caller.practiceId, patientId: caller.id };
    const key = request.idempotencyKey;
    const messageId = newMessageId(patient, threadId, key);
    for (let attempt = 1; ; attempt++) {
      const thread = ownThread(await this.threads.find(threadId), patient);
      if (key && earlierSend(thread, messageId, request.fingerprint)) {
        return { accepted: { threadId, messageId }, replayed: true };
      }
      // Still allowed to write to this recipient now (messaging on, group still serves them, member not excluded)?
      const facts = await this.facts.forPatient(patient.practiceId, patient.patientId);
      checkRecipient(facts, thread.recipient);
      const written = followUp(thread, {
        messageId,
        body: command.body,
        sentAt: new Date().toISOString(),
        requestFingerprint: key ? request.fingerprint : null,
      });
      const context = sendContext(caller, facts.patient, this.channels);
      const events = sendEvents(written.message, context, command.origin, correlationId);
      if (await this.threads.appendMessage(written.thread, events)) {
        this.relay.nudge();
        return { accepted: { threadId, messageId }, replayed: false };
      }
      if (attempt >= APPEND_ATTEMPTS) {
        throw new PatientMessagingRuleViolation(
          'thread-changed-meanwhile',
          'The thread changed while your message was being saved; send it again.',
          'conflict',
        );
      }
    }
  }
}
