import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../event-definition.js';
import { id, object, timestamp } from '../schema-parts.js';
import { TOPICS } from '../topics.js';

export const NoteAddedV1 = defineEvent({
  name: 'NoteAdded',
  type: 'gm.thread.note-added.v1',
  version: 1,
  topic: TOPICS.threadNotes,
  keyField: 'threadId',
  description:
    "A member of the thread's audience added an internal note (append-only). Staff-only: never shown to the patient. Contains PHI.",
  schema: object(
    {
      noteId: id,
      practiceId: id,
      threadId: id,
      authorMemberId: id,
      body: Type.String({ minLength: 1, description: 'PHI: never log it.' }),
      addedAt: timestamp,
    },
    [],
    {
      description:
        "A staff member's internal note on a patient thread. Staff-only: it has a topic of its own, which nothing patient-facing reads. It carries no thread version: a note changes nothing of the thread's state, and its topic is not ordered against gm.threads, so consumers keep notes by `noteId` and order them by `addedAt`.",
    },
  ),
});
export type NoteAddedV1 = EventData<typeof NoteAddedV1>;
