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
