import type { PendingEvent } from '@gm/messaging';
import type { AccessFacts } from '../domain/thread-access.js';
import { sameAudience, threadAudience } from '../domain/thread-audience.js';
import type { ThreadState } from '../domain/thread-state.js';
import type { PublishedAudience } from '../infrastructure/threads.repository.js';
import { audienceEvent, type Cause } from './thread-events.js';

/**
 * The audience to store with the thread, and the ThreadAudienceChanged to
 * publish in the same write when it differs from the one last published.
 */
export function audienceChange(
  thread: ThreadState,
  facts: AccessFacts,
  published: PublishedAudience,
  cause: Cause,
): { audience: PublishedAudience; events: PendingEvent[] } {
  const members = threadAudience(thread, facts);
  if (sameAudience(members, published.members)) return { audience: published, events: [] };
  const audience = { version: published.version + 1, members };
  return { audience, events: [audienceEvent(thread, audience, cause)] };
}
