import { defineEvent } from '../event-definition.js';
import { id, object, timestamp } from '../schema-parts.js';
import { TOPICS } from '../topics.js';

/**
 * A staff member's internal note on a patient thread. Staff-only: it has a
 * topic of its own, which nothing patient-facing reads. It carries no thread
 * version: a note changes nothing of the thread's state, and its topic is
 * not ordered against gm.threads, so consumers keep notes by `noteId` and
 * order them by `addedAt`.
 */
export interface NoteAddedV1 {
  noteId: string;
  practiceId: string;
  threadId: string;
  authorMemberId: string;
  /** PHI. */
  body: string;
  addedAt: string;
}

export const NoteAddedV1 = defineEvent<NoteAddedV1>({
  name: 'NoteAdded',
  type: 'gm.thread.note-added.v1',
  version: 1,
  topic: TOPICS.threadNotes,
  keyField: 'threadId',
  description:
    "A member of the thread's audience added an internal note (append-only). Staff-only: never shown to the patient. Contains PHI.",
  schema: object({
    noteId: id,
    practiceId: id,
    threadId: id,
    authorMemberId: id,
    body: { type: 'string', minLength: 1, maxLength: 20000 },
    addedAt: timestamp,
  }),
});
