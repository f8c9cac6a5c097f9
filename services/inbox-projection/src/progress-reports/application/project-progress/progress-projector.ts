import { Injectable } from '@nestjs/common';
import { isEvent, ThreadFactV1, type EventEnvelope } from '@gm/contracts';
import type { ProgressFact } from '../../domain/progress-fact.js';
import type { ProgressStore } from '../../infrastructure/progress-store.js';

/** The fields of a ThreadFact reports read; anything else on it (newer fields) is not kept. */
export function progressFactOf(fact: ThreadFactV1): ProgressFact {
  return {
    practiceId: fact.practiceId,
    threadId: fact.threadId,
    sequence: fact.sequence,
    fact: fact.fact,
    occurredAt: fact.occurredAt,
    openedAt: fact.openedAt,
    groupId: fact.groupId,
    status: fact.status,
    trashed: fact.trashed,
    assigneeMemberId: fact.assigneeMemberId,
    previousAssigneeMemberId: fact.previousAssigneeMemberId,
    actorMemberId: fact.actorMemberId,
    timeToFirstReplyMs: fact.timeToFirstReplyMs,
    withinTarget: fact.withinTarget,
  };
}

/** Projects the analytics stream's thread facts into the progress store of a generation. */
@Injectable()
export class ProgressProjector {
  handles(envelope: EventEnvelope): boolean {
    return isEvent(envelope, ThreadFactV1);
  }

  async apply(store: ProgressStore, envelopes: readonly EventEnvelope[]): Promise<void> {
    const facts = envelopes.flatMap((envelope) =>
      isEvent(envelope, ThreadFactV1) ? [progressFactOf(envelope.data)] : [],
    );
    await store.record(facts);
  }
}
