import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { recordReadOrRefuse, ThreadReadRecorder } from '@gm/access-recording';
import { readTimeline } from '../../domain/thread.js';
import { accessAuditUnavailable, threadNotFound } from '../../domain/thread-errors.js';
import { ThreadFactsAdapter } from '../../infrastructure/thread-facts.adapter.js';
import { ThreadsRepository } from '../../infrastructure/threads.repository.js';
import { GetThreadTimelineQuery } from './get-thread-timeline.query.js';
import type { ThreadTimelineView } from './thread-timeline-view.js';

const MEMBER_DETAILS = ['assigneeMemberId', 'previousAssigneeMemberId', 'addresseeMemberId'];

/** The progress of one thread (sent, routed, assigned, replied, trashed, restored, follow-ups) with actors and times. */
@QueryHandler(GetThreadTimelineQuery)
export class GetThreadTimelineQueryHandler implements IQueryHandler<GetThreadTimelineQuery> {
  constructor(
    private readonly threads: ThreadsRepository,
    private readonly facts: ThreadFactsAdapter,
    private readonly reads: ThreadReadRecorder,
  ) {}

  async execute({
    caller,
    threadId,
    correlationId,
    origin,
  }: GetThreadTimelineQuery): Promise<ThreadTimelineView> {
    const stored = await this.threads.find(caller.practiceId, threadId);
    if (!stored) throw threadNotFound(threadId);
    const thread = stored.state;
    const entries = readTimeline(
      thread,
      await this.facts.forThread(thread, [caller.id]),
      caller.id,
    );
    const memberIds = new Set<string>();
    if (thread.assigneeMemberId) memberIds.add(thread.assigneeMemberId);
    for (const entry of entries) {
      if (entry.actorKind === 'member' && entry.actorId) memberIds.add(entry.actorId);
      for (const field of MEMBER_DETAILS) {
        const id = entry.details[field];
        if (typeof id === 'string') memberIds.add(id);
      }
    }
    const [names, patientName] = await Promise.all([
      this.facts.memberNames(caller.practiceId, [...memberIds]),
      this.facts.patientName(caller.practiceId, thread.patientId),
    ]);
    // The caller may read it (readTimeline decided): recorded before anything is returned.
    await recordReadOrRefuse(
      this.reads,
      {
        practiceId: caller.practiceId,
        actor: { kind: 'member', id: caller.id },
        action: 'thread.timeline.read',
        threadId,
        origin,
        correlationId,
      },
      accessAuditUnavailable,
    );
    return {
      threadId,
      patientId: thread.patientId,
      routing: thread.routing!,
      groupId: thread.groupId,
      status: thread.status,
      trashed: thread.trashed,
      assigneeMemberId: thread.assigneeMemberId,
      version: thread.version,
      entries: entries.map((entry) => ({
        kind: entry.kind,
        at: entry.at,
        actor: {
          kind: entry.actorKind,
          id: entry.actorId,
          displayName:
            entry.actorKind === 'member' && entry.actorId
              ? (names.get(entry.actorId) ?? null)
              : entry.actorKind === 'patient'
                ? patientName
                : null,
        },
        details: entry.details,
      })),
      memberNames: Object.fromEntries(names),
    };
  }
}
