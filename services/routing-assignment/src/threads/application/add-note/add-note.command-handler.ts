import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { addNote } from '../../domain/thread-note.js';
import { ThreadFactsAdapter } from '../../infrastructure/thread-facts.adapter.js';
import { ThreadChanges } from '../thread-changes.js';
import { AddNoteCommand, type NoteAccepted } from './add-note.command.js';

/**
 * A member of the thread's audience adds an internal note (NoteAdded on the
 * staff-only gm.thread-notes, and its access record, in the thread's write).
 * Like a reply's, the note's text travels in the event only: this service
 * keeps no copy of it once published.
 */
@CommandHandler(AddNoteCommand)
export class AddNoteCommandHandler implements ICommandHandler<AddNoteCommand> {
  constructor(
    private readonly facts: ThreadFactsAdapter,
    private readonly changes: ThreadChanges,
  ) {}

  execute({
    caller,
    threadId,
    body,
    correlationId,
    origin,
  }: AddNoteCommand): Promise<NoteAccepted> {
    const noteId = `nte_${randomUUID()}`;
    return this.changes.apply(
      caller.practiceId,
      threadId,
      { correlationId, origin },
      async (thread) => {
        const facts = await this.facts.forThread(thread, [caller.id]);
        const addedAt = new Date().toISOString();
        const transition = addNote(thread, facts, caller.id, { noteId, body }, addedAt);
        return { result: { threadId, noteId, addedAt }, transition, facts };
      },
    );
  }
}
