import type { EventDefinition, EventEnvelope } from '@gm/contracts';
import { toOutboxRecord, type OutboxFields, type OutboxRecord } from './outbox-record.js';

/** An event ready for the outbox: its definition (for the topic) and envelope. */
export interface PendingEvent {
  definition: EventDefinition<unknown>;
  envelope: EventEnvelope;
}

const records = (events: PendingEvent[]): OutboxRecord[] =>
  events.map(({ definition, envelope }) => toOutboxRecord(definition.topic.name, envelope));

/**
 * Outbox fields for a document being inserted: the new state and its events
 * are one document, so one insert makes both durable or neither.
 */
export function outboxForInsert(events: PendingEvent[]): OutboxFields {
  return { _outbox: records(events), _outboxPending: events.length > 0, _outboxSeq: 1 };
}

type UpdateOperators = Record<string, Record<string, unknown> | undefined>;

/**
 * Adds the events to a single-document update, so the state change and the
 * events it implies are written by one atomic operation (FerretDB has no
 * multi-document transactions; ADR 0004).
 */
export function withOutbox<U extends UpdateOperators>(update: U, events: PendingEvent[]): U {
  if (!events.length) return update;
  return {
    ...update,
    $push: { ...update.$push, _outbox: { $each: records(events) } },
    $set: { ...update.$set, _outboxPending: true },
    $inc: { ...update.$inc, _outboxSeq: 1 },
  };
}
