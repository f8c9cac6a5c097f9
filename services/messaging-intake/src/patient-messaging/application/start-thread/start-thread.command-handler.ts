import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { OutboxRelayHost } from '@gm/service-kit';
import { checkRecipient } from '../../domain/recipient-policy.js';
import { earlierSend, ownThread, startThread } from '../../domain/thread.js';
import type { ClientChannels } from '../../domain/patient-channel.js';
import { RecipientFactsAdapter } from '../../infrastructure/recipient-facts.adapter.js';
import { ThreadsRepository } from '../../infrastructure/threads.repository.js';
import { sendEvents } from '../message-sent-event.js';
import { CLIENT_CHANNELS, sendContext } from '../send-context.js';
import { PatientSends, type SendOutcome } from '../patient-sends.js';
import { newMessageId, newThreadId } from '../send-ids.js';
import { StartThreadCommand } from './start-thread.command.js';

@CommandHandler(StartThreadCommand)
export class StartThreadCommandHandler implements ICommandHandler<StartThreadCommand> {
  constructor(
    private readonly sends: PatientSends,
    private readonly facts: RecipientFactsAdapter,
    private readonly threads: ThreadsRepository,
    private readonly relay: OutboxRelayHost,
    @Inject(CLIENT_CHANNELS) private readonly channels: ClientChannels,
  ) {}

  execute(command: StartThreadCommand): Promise<SendOutcome> {
    return this.sends.run(command.caller, command.request, () => this.start(command));
  }

  private async start(command: StartThreadCommand): Promise<SendOutcome> {
    const { caller, recipient, request, correlationId } = command;
    const patient = { practiceId: caller.practiceId, patientId: caller.id };
    const threadId = newThreadId(patient, request.idempotencyKey);
    const messageId = newMessageId(patient, threadId, request.idempotencyKey);
    // A retry after a crash: the first attempt's thread is already there, and is the answer.
    const earlier = await this.earlier(command, threadId, messageId);
    if (earlier) return earlier;

    const facts = await this.facts.forPatient(patient.practiceId, patient.patientId);
    checkRecipient(facts, recipient);
    const { thread, message } = startThread({
      ...patient,
      threadId,
      messageId,
      recipient,
      subject: command.subject,
      body: command.body,
      sentAt: new Date().toISOString(),
      requestFingerprint: request.idempotencyKey ? request.fingerprint : null,
    });
    if (
      !(await this.threads.insert(
        thread,
        sendEvents(
          message,
          sendContext(caller, facts.patient, this.channels),
          command.origin,
          correlationId,
        ),
      ))
    ) {
      // Only a concurrent attempt with the same key can have taken this id.
      const concurrent = await this.earlier(command, threadId, messageId);
      if (concurrent) return concurrent;
      throw new Error('a new thread id is already taken');
    }
    this.relay.nudge();
    return { accepted: { threadId, messageId }, replayed: false };
  }

  private async earlier(
    { caller, request }: StartThreadCommand,
    threadId: string,
    messageId: string,
  ): Promise<SendOutcome | null> {
    if (!request.idempotencyKey) return null;
    const stored = await this.threads.find(threadId);
    if (!stored) return null;
    const thread = ownThread(stored, { practiceId: caller.practiceId, patientId: caller.id });
    return earlierSend(thread, messageId, request.fingerprint)
      ? { accepted: { threadId, messageId }, replayed: true }
      : null;
  }
}
