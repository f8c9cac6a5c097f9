import { Inject, Injectable } from '@nestjs/common';
import type { Caller } from '@gm/auth';
import { entryId } from '../../domain/inbox-entry.js';
import { threadNotFound } from '../../domain/inbox-errors.js';
import { Generations } from '../../infrastructure/projection-store.js';

/**
 * Presence is for the thread's audience only: the members who hold an inbox
 * entry of it, exactly those who may open it. Anyone else gets 404, as for a
 * thread that does not exist.
 */
@Injectable()
export class PresenceAccess {
  constructor(@Inject(Generations) private readonly generations: Generations) {}

  async assertInAudience({ practiceId, id: memberId }: Caller, threadId: string): Promise<void> {
    const store = await this.generations.active();
    const entry = await store.entries.findOne(
      { _id: entryId(practiceId, memberId, threadId) },
      { projection: { practiceId: 1 } },
    );
    if (!entry || entry.practiceId !== practiceId) throw threadNotFound();
  }
}
