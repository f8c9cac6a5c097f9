import type { EventMetadata } from '@gm/contracts';
import { randomUUID } from 'node:crypto';

/** Metadata of a new event: a fresh id (consumers dedupe on it) and the time now. */
export function newEventMetadata(fields: {
  source: string;
  practiceId: string;
  correlationId: string;
  causationId?: string;
}): EventMetadata {
  return { id: randomUUID(), time: new Date().toISOString(), ...fields };
}
