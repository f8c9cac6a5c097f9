import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  recordReadOrRefuse,
  recordRefusal,
  ThreadReadRecorder,
  type ReadContext,
} from '@gm/access-recording';
import type { Caller } from '@gm/auth';
import { formatConversationVersion } from '@gm/contracts';
import { DirectoryReplica } from '@gm/directory-replica';
import { INFRASTRUCTURE_CONFIG, type InfrastructureConfig } from '@gm/service-kit';
import { entryId, seesTimeline } from '../../domain/inbox-entry.js';
import { accessAuditUnavailable, threadNotFound } from '../../domain/inbox-errors.js';
import { isOverdue, statusOf, type ThreadView } from '../../domain/thread-view.js';
import { Generations, withoutId } from '../../infrastructure/projection-store.js';
import { ReadMarkers } from '../../infrastructure/read-markers.js';
import { loadOnceReached } from '../read-your-writes.js';
import type { MemberThreadView } from './member-thread-view.js';
import { OpenMemberThreadCommand } from './open-member-thread.command.js';

/**
 * Opening needs the caller's own inbox entry, so no member opens a thread
 * that is not in their audience (anything else is 404, like a missing one).
 */
@CommandHandler(OpenMemberThreadCommand)
export class OpenMemberThreadCommandHandler implements ICommandHandler<OpenMemberThreadCommand> {
  constructor(
    @Inject(Generations) private readonly generations: Generations,
    private readonly directory: DirectoryReplica,
    private readonly reads: ThreadReadRecorder,
    private readonly markers: ReadMarkers,
    @Inject(INFRASTRUCTURE_CONFIG) private readonly config: InfrastructureConfig,
  ) {}

  async execute({
    caller,
    threadId,
    read,
    afterVersion,
  }: OpenMemberThreadCommand): Promise<MemberThreadView> {
    const { practiceId, id: memberId } = caller;
    const store = await this.generations.active();
    const _id = entryId(practiceId, memberId, threadId);
    const entry = await loadOnceReached(
      () => store.entries.findOne({ _id }),
      (found) => found !== null && found.practiceVersion >= afterVersion!,
      afterVersion !== undefined && afterVersion > 0,
      this.config.consistency.waitMs,
    );
    if (!entry || entry.practiceId !== practiceId) throw await this.refused(caller, threadId, read);
    const stored = await store.views.findOne({ _id: threadId });
    if (!stored) throw await this.refused(caller, threadId, read);
    const view = withoutId(stored);
    // The caller may open it (their entry exists): recorded before it is marked read or served.
    await recordReadOrRefuse(
      this.reads,
      {
        practiceId,
        actor: { kind: 'member', id: memberId },
        // A cover's read of a colleague's direct message is told apart in the audit.
        action: entry.audience === 'cover' ? 'thread.read-as-cover' : 'thread.read',
        threadId,
        ...read,
      },
      accessAuditUnavailable,
    );
    if (entry.unread) await this.markers.memberRead(store, view.threadId, _id);
    const timeline = seesTimeline(entry.audience) ? await this.timeline(view) : null;
    return {
      threadId,
      groupId: view.routing === 'direct' ? null : view.groupId,
      routing: view.routing,
      subject: view.subject,
      patient: { patientId: view.patientId, displayName: entry.patientName },
      status: statusOf(view),
      trashed: view.trashed,
      overdue: isOverdue(view),
      assigneeMemberId: view.assigneeMemberId,
      admin: entry.audience === 'admin',
      version: view.practiceVersion,
      conversationVersion: formatConversationVersion({
        patientMessages: view.messages.length,
        replies: view.replies.length,
      }),
      messages: view.messages.map((m) => ({
        messageId: m.messageId,
        body: m.body,
        sentAt: m.sentAt,
        followUp: m.followUp,
      })),
      replies: view.replies.map((r) => ({
        replyId: r.replyId,
        body: r.body,
        sentAt: r.sentAt,
        senderDisplayName: r.senderDisplayName,
        repliedByMemberId: r.repliedByMemberId,
      })),
      // Everyone who may open the thread reads what the patient received.
      acknowledgements: view.acknowledgements.map((a) => ({
        acknowledgementId: a.acknowledgementId,
        messageId: a.messageId,
        body: a.body,
        sentAt: a.sentAt,
        senderDisplayName: a.senderDisplayName,
      })),
      notes: view.notes.map((n) => ({
        noteId: n.noteId,
        authorMemberId: n.authorMemberId,
        body: n.body,
        addedAt: n.addedAt,
      })),
      timeline,
    };
  }

  /** Not the caller's to open: the attempt is recorded as refused before the 404 is answered. */
  private refused({ practiceId, id }: Caller, threadId: string, read: ReadContext) {
    return recordRefusal(
      this.reads,
      { practiceId, actor: { kind: 'member', id }, action: 'thread.read', threadId, ...read },
      threadNotFound(),
      accessAuditUnavailable,
    );
  }

  /** The timeline, with the names of the members it mentions (staff-only). */
  private async timeline(view: ThreadView): Promise<MemberThreadView['timeline']> {
    const ids = view.timeline.flatMap((s) => [
      s.actorKind === 'member' ? s.actorId : null,
      typeof s.details.assigneeMemberId === 'string' ? s.details.assigneeMemberId : null,
      typeof s.details.previousAssigneeMemberId === 'string'
        ? s.details.previousAssigneeMemberId
        : null,
    ]);
    const members = await this.directory.members(
      view.practiceId,
      ids.filter((id): id is string => id !== null),
    );
    return {
      entries: view.timeline.map(({ key: _key, ...step }) => step),
      memberNames: Object.fromEntries(members.map((m) => [m.memberId, m.displayName])),
    };
  }
}
