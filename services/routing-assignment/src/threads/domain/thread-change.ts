import type { ThreadChange, ThreadState, TimelineEntry, Transition } from './thread-state.js';

export const entry = (
  kind: TimelineEntry['kind'],
  actorKind: TimelineEntry['actorKind'],
  actorId: string | null,
  at: string,
  details: TimelineEntry['details'] = {},
): TimelineEntry => ({ kind, actorKind, actorId, at, details });

/** A change that publishes an event: the version counts it, the timeline records it. */
export function changed(
  thread: ThreadState,
  fields: Partial<ThreadState>,
  change: ThreadChange,
  step: TimelineEntry,
): Transition {
  return {
    state: {
      ...thread,
      ...fields,
      version: thread.version + 1,
      timeline: [...thread.timeline, step],
    },
    change,
  };
}

/**
 * A change that publishes an event of its own topic and leaves the thread's
 * version as it is (a note): readers fold thread events by that version, and
 * the note's topic is not ordered against theirs.
 */
export function noted(thread: ThreadState, change: ThreadChange, step: TimelineEntry): Transition {
  return { state: { ...thread, timeline: [...thread.timeline, step] }, change };
}
