import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { OutboxRelayHost } from '@gm/service-kit';
import type { AccessFacts } from '../domain/thread-access.js';
import { threadChangedMeanwhile, threadNotFound } from '../domain/thread-errors.js';
import type { ThreadState, Transition } from '../domain/thread-state.js';
import { applyWorkflow } from '../domain/thread-workflow.js';
import { GroupQueues } from '../infrastructure/group-queues.js';
import { ThreadFactsAdapter } from '../infrastructure/thread-facts.adapter.js';
import { ThreadsRepository } from '../infrastructure/threads.repository.js';
import { audienceChange } from './thread-audience-change.js';
import { auditEventOf } from './thread-audit.js';
import { PATIENT_PSEUDONYMS, type PatientPseudonyms } from './patient-pseudonyms.port.js';
import { analyticsEvents, threadEvent, type Cause } from './thread-events.js';

/** What a decision about the thread came to: a transition to write (or a silent state change), or nothing. */
export interface Decision<R> {
  result: R;
  transition?: Transition | null;
  /** A change that publishes nothing (a follow-up). */
  quietly?: ThreadState | null;
  /**
   * The facts the decision was taken on, when they name everyone the new
   * state does (an assignment's facts name the new assignee): the audience
   * is decided on them rather than read again.
   */
  facts?: AccessFacts;
}

const ATTEMPTS = 5;

/**
 * Read, decide, compare-and-set: the decision is taken on the thread as
 * stored (and the replicas as they are now), and written only if no other
 * write came in between; otherwise it is taken again on the new state.
 * The thread's audience is decided again on every pass, so a change of the
 * thread or of the facts it is decided from publishes it (ADR 0016).
 */
@Injectable()
export class ThreadChanges {
  constructor(
    private readonly threads: ThreadsRepository,
    private readonly facts: ThreadFactsAdapter,
    private readonly relay: OutboxRelayHost,
    private readonly queues: GroupQueues,
    @Inject(PATIENT_PSEUDONYMS) private readonly pseudonyms: PatientPseudonyms,
  ) {}

  async apply<R>(
    practiceId: string,
    threadId: string,
    cause: Cause,
    decide: (thread: ThreadState) => Promise<Decision<R>>,
  ): Promise<R> {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const stored = await this.threads.find(practiceId, threadId);
      if (!stored) throw threadNotFound(threadId);
      const { result, transition, quietly, facts } = await decide(stored.state);
      const decided = transition?.state ?? quietly ?? stored.state;
      const accessFacts = facts ?? (await this.facts.forThread(decided, []));
      const { state: next, steps } =
        decided === stored.state
          ? { state: decided, steps: [] }
          : await this.followWorkflow(stored.state, decided, accessFacts);
      const audience = audienceChange(next, accessFacts, stored.audience, cause);
      if (next === stored.state && !audience.events.length) return result;
      // The access audit record travels in the same document write as the change it records.
      const events = [
        ...[...(transition ? [transition] : []), ...steps].flatMap((step) => [
          threadEvent(step.state, step.change, cause),
          ...auditEventOf(step.state, step.change, cause),
        ]),
        ...audience.events,
        ...analyticsEvents(
          [stored.state, decided, ...steps.map((step) => step.state), next],
          this.pseudonyms,
          cause,
        ),
      ];
      if (await this.threads.update(stored, next, audience.audience, events)) {
        if (events.length) this.relay.nudge();
        // A reply, a trash or an unassignment may free someone to take the group's next thread.
        await this.queues.changed(next.practiceId, next.groupId);
        return result;
      }
    }
    throw threadChangedMeanwhile();
  }

  /** Deadlines and the acknowledgement that the change brings under its group's workflow. */
  private async followWorkflow(
    before: ThreadState,
    after: ThreadState,
    facts: AccessFacts,
  ): Promise<{ state: ThreadState; steps: Transition[] }> {
    const workflow = await this.facts.workflowOf(after);
    const now = new Date().toISOString();
    return applyWorkflow(before, after, workflow, facts.group?.name ?? null, randomUUID(), now);
  }
}
