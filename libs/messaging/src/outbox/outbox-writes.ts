import type { EventDefinition, EventEnvelope } from '@gm/contracts';
import type { Document, UpdateFilter } from 'mongodb';
import { currentWrite } from '../consistency/write-context.js';
import { traceContextForEvent } from '../telemetry/tracing.js';
import { toOutboxRecord, type OutboxFields, type OutboxRecord } from './outbox-record.js';

/** An event ready for the outbox: its definition (for the topic) and envelope. */
export interface PendingEvent {
  definition: Pick<EventDefinition<unknown>, 'type' | 'topic'>;
  envelope: EventEnvelope;
}

/**
 * Outbox records of the events: an HTTP write's events carry its id
 * (`ce_writeid`), and every event the trace context it was written in.
 */
const records = (events: PendingEvent[]): OutboxRecord[] => {
  const writeId = currentWrite()?.writeId;
  return events.map(({ definition, envelope }) =>
    toOutboxRecord(definition.topic.name, {
      ...traceContextForEvent(envelope.causationId),
      ...(writeId ? { writeId } : {}),
      ...envelope,
    }),
  );
};

/** Tells the running HTTP write, if any, that these events are durable now. */
export function noteWritten(events: PendingEvent[]): void {
  currentWrite()?.written(events.map(({ definition }) => definition.topic.name));
}

/**
 * Outbox fields for a document being inserted: the new state and its events
 * are one document, so one insert makes both durable or neither.
 */
export function outboxForInsert(events: PendingEvent[]): OutboxFields {
  return { _outbox: records(events), _outboxPending: events.length > 0, _outboxSeq: 1 };
}

/**
 * Adds the events to a single-document update, so the state change and the
 * events it implies are written by one atomic operation (FerretDB has no
 * multi-document transactions; ADR 0004).
 */
export function withOutbox(
  update: UpdateFilter<Document>,
  events: PendingEvent[],
): UpdateFilter<Document> {
  if (!events.length) return update;
  return {
    ...update,
    // The driver's typing of $push rejects fields of a schemaless Document.
    $push: {
      ...update.$push,
      _outbox: { $each: records(events) },
    } as unknown as UpdateFilter<Document>['$push'],
    $set: { ...update.$set, _outboxPending: true },
    $inc: { ...update.$inc, _outboxSeq: 1 },
  };
}
