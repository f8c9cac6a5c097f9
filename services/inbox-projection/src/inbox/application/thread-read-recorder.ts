import type { ThreadAccess } from '@gm/access-recording';
import { accessAuditUnavailable } from '../domain/inbox-errors.js';

/** Who read, and the request it came with; the query adds the thread and the action. */
export type ReadContext = Pick<ThreadAccess, 'origin' | 'correlationId'>;

/**
 * Records that someone read a thread, durably, before the content is
 * served (ADR 0013). Throws if the record could not be made durable.
 */
export abstract class ThreadReadRecorder {
  abstract record(access: ThreadAccess): Promise<void>;
}

/** Fail closed: no record, no content (503, the client may retry). */
export async function recordReadOrRefuse(
  recorder: ThreadReadRecorder,
  access: ThreadAccess,
): Promise<void> {
  try {
    await recorder.record(access);
  } catch (error) {
    const refused = accessAuditUnavailable();
    // Logged with the 503 (operators need the store's error; clients get the code only).
    refused.cause = error;
    throw refused;
  }
}
