import { toWireRecord, type EventEnvelope } from '@gm/contracts';

/**
 * An event waiting in its aggregate's document to be published. It holds the
 * exact wire form, so the relay needs no knowledge of event types.
 */
export interface OutboxRecord {
  id: string;
  type: string;
  topic: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** Fields every document that carries an outbox has. */
export interface OutboxFields {
  _outbox: OutboxRecord[];
  /** True while `_outbox` holds unpublished events: the relay's query. */
  _outboxPending: boolean;
  /** Grows on every append, so the relay clears only what it has published. */
  _outboxSeq: number;
}

export function toOutboxRecord(topic: string, envelope: EventEnvelope): OutboxRecord {
  const wire = toWireRecord(envelope);
  return { id: envelope.id, type: envelope.type, topic, ...wire };
}
