import { randomUUID } from 'node:crypto';
import { UnprocessableEvent, type PendingEvent } from '@gm/messaging';
import type { AccessFacts } from '../../domain/thread-access.js';
import type { PatientMessage, ThreadChange, ThreadState } from '../../domain/thread-state.js';
import { NO_AUDIENCE, type PublishedAudience } from '../../infrastructure/threads.repository.js';
import { audienceChange } from '../thread-audience-change.js';
import { auditEventOf } from '../thread-audit.js';
import type { PatientPseudonyms } from '../patient-pseudonyms.port.js';
import { analyticsEvents, threadEvent, type Cause } from '../thread-events.js';
import { applyWorkflow, type ThreadWorkflow } from '../../domain/thread-workflow.js';

export interface ThreadOpening {
  state: ThreadState;
  audience: PublishedAudience;
  /** MessageRouted (none while it waits for its group), and its first audience. */
  events: PendingEvent[];
  reception: 'routed' | 'waiting-for-group';
}

/** What a newly opened thread is stored with, decided on the facts of its group, patient and members. */
export function threadOpening(
  opened: { state: ThreadState; change: ThreadChange | null },
  facts: AccessFacts,
  workflow: ThreadWorkflow | null,
  pseudonyms: PatientPseudonyms,
  cause: Cause,
): ThreadOpening {
  const { change } = opened;
  const now = new Date().toISOString();
  // A thread waiting for its group follows the workflow once it is routed (ThreadChanges).
  const { state, steps } = change
    ? applyWorkflow(null, opened.state, workflow, opened.state.groupName, randomUUID(), now)
    : { state: opened.state, steps: [] };
  const { audience, events: audienceEvents } = audienceChange(state, facts, NO_AUDIENCE, cause);
  const routed = change ? [{ state: opened.state, change }, ...steps] : [];
  return {
    state,
    audience,
    events: [
      ...routed.flatMap((step) => [
        threadEvent(step.state, step.change, cause),
        ...auditEventOf(step.state, step.change, cause),
      ]),
      ...audienceEvents,
      ...analyticsEvents(
        [null, opened.state, ...steps.map((step) => step.state), state],
        pseudonyms,
        cause,
      ),
    ],
    reception: change ? 'routed' : 'waiting-for-group',
  };
}

/** Why a MessageSent can never be routed (it names no group, or no member), or null. */
function addressingFault(message: PatientMessage): string | null {
  if (message.recipientKind === 'group' && !message.groupId) {
    return 'MessageSent to a group carries no groupId';
  }
  if (message.recipientKind === 'member' && !message.memberId) {
    return 'MessageSent to a member carries no memberId';
  }
  return null;
}

export const isAddressed = (message: PatientMessage): boolean => addressingFault(message) === null;

/** A MessageSent names its group, or its member: one that does not can never be routed. */
export function assertAddressed(message: PatientMessage): void {
  const fault = addressingFault(message);
  if (fault) throw new UnprocessableEvent(fault);
}
