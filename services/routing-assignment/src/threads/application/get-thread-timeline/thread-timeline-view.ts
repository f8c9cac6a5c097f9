import type {
  RoutingKind,
  ThreadStatus,
  TimelineActorKind,
  TimelineKind,
} from '../../domain/thread-state.js';

/** Staff-only: names members. Never holds message or reply text. */
export interface ThreadTimelineView {
  threadId: string;
  patientId: string;
  routing: RoutingKind;
  groupId: string | null;
  status: ThreadStatus;
  trashed: boolean;
  assigneeMemberId: string | null;
  version: number;
  entries: {
    kind: TimelineKind;
    at: string;
    actor: { kind: TimelineActorKind; id: string | null; displayName: string | null };
    details: Record<string, string | number | null>;
  }[];
  /** Display names of every member the view mentions (actors, assignees), by member id. */
  memberNames: Record<string, string>;
}
