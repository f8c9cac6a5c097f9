import { Command } from '@nestjs/cqrs';
import { NO_ORIGIN, type RequestOrigin } from '@gm/access-recording';
import type { Caller } from '@gm/auth';

export interface NoteAccepted {
  threadId: string;
  noteId: string;
  addedAt: string;
}

export class AddNoteCommand extends Command<NoteAccepted> {
  constructor(
    readonly caller: Caller,
    readonly threadId: string,
    readonly body: string,
    readonly correlationId: string,
    /** Where the request came from, for the access audit. */
    readonly origin: RequestOrigin = NO_ORIGIN,
  ) {
    super();
  }
}
