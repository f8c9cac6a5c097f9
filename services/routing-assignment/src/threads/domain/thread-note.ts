import { noteBody } from './note-body.js';
import { canAddNote, type AccessFacts } from './thread-access.js';
import { entry, noted } from './thread-change.js';
import { threadNotFound } from './thread-errors.js';
import type { ThreadState, Transition } from './thread-state.js';

/**
 * A member of the thread's audience adds an internal note: append-only,
 * staff-only. Allowed in Trash too: a note changes nothing a patient sees
 * nor any of the thread's state, so nothing needs restoring first. The
 * timeline keeps the note's id, never its text.
 */
export function addNote(
  thread: ThreadState,
  facts: AccessFacts,
  callerId: string,
  note: { noteId: string; body: string },
  now: string,
): Transition {
  if (!canAddNote(thread, facts, callerId)) throw threadNotFound(thread.threadId);
  const body = noteBody(note.body);
  return noted(
    thread,
    { kind: 'note-added', noteId: note.noteId, byMemberId: callerId, body, addedAt: now },
    entry('note-added', 'member', callerId, now, { noteId: note.noteId }),
  );
}
