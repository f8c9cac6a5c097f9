import {
  buildEnvelope,
  toWireRecord,
  type EventDefinition,
  type EventEnvelope,
} from '@gm/contracts';
import type { Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';

/**
 * Publishes one schema-valid event onto its topic as its owner would (the
 * contract is the interface), acknowledged by every in-sync replica.
 */
export async function publishEvent<T>(
  producer: Producer,
  definition: EventDefinition<T>,
  data: T,
  { source, id = randomUUID(), time = new Date().toISOString() }: PublishOptions,
): Promise<EventEnvelope<T>> {
  const envelope = buildEnvelope(definition, data, {
    id,
    source,
    time,
    // Every event's data names its practice; the envelope must agree.
    practiceId: (data as { practiceId: string }).practiceId,
    correlationId: randomUUID(),
  });
  await producer.send({
    topic: definition.topic.name,
    acks: -1,
    messages: [toWireRecord(envelope as EventEnvelope)],
  });
  return envelope;
}

export interface PublishOptions {
  /** The CloudEvents `source`: which test, posing as which producer. */
  source: string;
  /** The event id; a new UUID unless a test replays one. */
  id?: string;
  time?: string;
}

/**
 * Publishes the full state of one practice's entities, as their owner would:
 * each entity (by key) gets versions 1, 2, 3… so the consumers' version checks
 * see what production would.
 */
export abstract class StateFeed {
  private readonly versions = new Map<string, number>();

  constructor(
    protected readonly producer: Producer,
    readonly practiceId: string,
    private readonly source: string,
  ) {}

  protected published(key: string): boolean {
    return this.versions.has(key);
  }

  protected async publishState<T>(
    definition: EventDefinition<T>,
    key: string,
    state: object,
  ): Promise<number> {
    const version = (this.versions.get(key) ?? 0) + 1;
    this.versions.set(key, version);
    const changedAt = new Date().toISOString();
    const data = { ...state, practiceId: this.practiceId, version, changedAt } as T;
    await publishEvent(this.producer, definition, data, { source: this.source, time: changedAt });
    return version;
  }
}
