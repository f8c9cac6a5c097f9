import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import {
  recordReadOrRefuse,
  recordRefusal,
  ThreadReadRecorder,
  type ThreadAccess,
} from '@gm/access-recording';
import { readTimeline } from '../../domain/thread.js';
import {
  accessAuditUnavailable,
  threadNotFound,
  ThreadRuleViolation,
} from '../../domain/thread-errors.js';
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
    const access: ThreadAccess = {
      practiceId: caller.practiceId,
      actor: { kind: 'member', id: caller.id },
      action: 'thread.timeline.read',
      threadId,
      origin,
      correlationId,
    };
    const stored = await this.threads.find(caller.practiceId, threadId);
    if (!stored) throw await this.refused(access, threadNotFound(threadId));
    const thread = stored.state;
    const facts = await this.facts.forThread(thread, [caller.id]);
    let entries: ReturnType<typeof readTimeline>;
    try {
      entries = readTimeline(thread, facts, caller.id);
    } catch (error) {
      // Refused by readTimeline's rule (404 thread-not-found, 403 not-group-admin): recorded first.
      if (error instanceof ThreadRuleViolation) throw await this.refused(access, error);
      throw error;
    }
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
    await recordReadOrRefuse(this.reads, access, accessAuditUnavailable);
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

  /** A refused attempt is recorded with its code before it is answered (fail closed: 503). */
  private refused(access: ThreadAccess, refusal: ThreadRuleViolation): Promise<Error> {
    return recordRefusal(this.reads, access, refusal, accessAuditUnavailable);
  }
}
