import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { recordReadOrRefuse, recordRefusal, ThreadReadRecorder } from '@gm/access-recording';
import { INFRASTRUCTURE_CONFIG, type InfrastructureConfig } from '@gm/service-kit';
import { accessAuditUnavailable, threadNotFound } from '../../domain/inbox-errors.js';
import { statusOf, type ThreadView } from '../../domain/thread-view.js';
import { Generations, withoutId } from '../../infrastructure/projection-store.js';
import { ReadMarkers } from '../../infrastructure/read-markers.js';
import { SenderNamesAdapter } from '../../infrastructure/sender-names.adapter.js';
import { loadOnceReached } from '../read-your-writes.js';
import { OpenPatientThreadCommand } from './open-patient-thread.command.js';
import type { PatientReplyView, PatientThreadView } from './patient-thread-view.js';

/** Only the patient's own thread of their practice opens; anything else is 404, like a missing one. */
@CommandHandler(OpenPatientThreadCommand)
export class OpenPatientThreadCommandHandler implements ICommandHandler<OpenPatientThreadCommand> {
  constructor(
    @Inject(Generations) private readonly generations: Generations,
    private readonly reads: ThreadReadRecorder,
    private readonly markers: ReadMarkers,
    private readonly senderNames: SenderNamesAdapter,
    @Inject(INFRASTRUCTURE_CONFIG) private readonly config: InfrastructureConfig,
  ) {}

  async execute({
    caller,
    threadId,
    read,
    afterMessageId,
  }: OpenPatientThreadCommand): Promise<PatientThreadView> {
    const store = await this.generations.active();
    const mine = (v: ThreadView | null): v is ThreadView =>
      v !== null && v.practiceId === caller.practiceId && v.patientId === caller.id;
    const view = await loadOnceReached(
      async () => {
        const stored = await store.views.findOne({ _id: threadId });
        return stored ? withoutId(stored) : null;
      },
      // Another's thread is not worth waiting for: it is 404 either way.
      (v) => v !== null && (!mine(v) || v.messages.some((m) => m.messageId === afterMessageId)),
      Boolean(afterMessageId),
      this.config.consistency.waitMs,
    );
    const access = {
      practiceId: caller.practiceId,
      actor: { kind: 'patient', id: caller.id },
      action: 'thread.read',
      threadId,
      ...read,
    } as const;
    if (!mine(view) || view.messages.length === 0) {
      // Not theirs (or not there): the attempt is recorded as refused before the 404.
      throw await recordRefusal(this.reads, access, threadNotFound(), accessAuditUnavailable);
    }
    // The patient's own thread: recorded before it is marked read or served.
    await recordReadOrRefuse(this.reads, access, accessAuditUnavailable);
    const name = (await this.senderNames.of(caller.practiceId))(view);
    if (view.replies.length > view.patientReadReplies) {
      await this.markers.patientRead(store, threadId);
    }
    return {
      threadId,
      groupName: name,
      subject: view.subject,
      status: statusOf(view) === 'replied' ? 'replied' : 'awaiting-reply',
      messages: view.messages.map((m) => ({
        messageId: m.messageId,
        body: m.body,
        sentAt: m.sentAt,
      })),
      replies: fromPractice(view),
    };
  }
}

/**
 * Replies and acknowledgements in the order they were sent (their thread
 * versions). The sender is the group (or the practice): never a member's id or name.
 */
function fromPractice(view: ThreadView): PatientReplyView[] {
  const replies = view.replies.map((r) => ({
    version: r.threadVersion,
    sent: { replyId: r.replyId, body: r.body, sentAt: r.sentAt, from: r.senderDisplayName },
    automatic: false,
  }));
  const acknowledgements = view.acknowledgements.map((a) => ({
    version: a.threadVersion,
    sent: {
      replyId: a.acknowledgementId,
      body: a.body,
      sentAt: a.sentAt,
      from: a.senderDisplayName,
    },
    automatic: true,
  }));
  return [...replies, ...acknowledgements]
    .sort((a, b) => a.version - b.version)
    .map(({ sent, automatic }) => ({ ...sent, automatic }));
}
