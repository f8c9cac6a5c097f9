import {
  buildEnvelope,
  ReactionsPublishedV1,
  toWireRecord,
  TOPICS,
  type EventEnvelope,
  type TopicPosition,
} from '@gm/contracts';
import type { Admin, Kafka, Producer } from 'kafkajs';
import type { Collection } from 'mongodb';
import { randomUUID } from 'node:crypto';
import { isDuplicateKeyError } from '../duplicate-key.js';
import { sendPerPartition } from '../single-partition-sends.js';

/** An applied event of an HTTP write, not yet reported on gm.consistency. */
interface ReactionDocument {
  /** The applied event's `ce_id`. */
  _id: string;
  writeId: string;
  practiceId: string;
  topic: string;
}

const REPORTED_PER_ROUND = 500;

/**
 * The reacting service's side of read-your-writes (ADR 0018). Its consumer
 * records each applied event of an HTTP write once the handler's writes,
 * reactions included, are durable (`record`). Its outbox relay takes what
 * is recorded at the start of a round (`take`), publishes every pending
 * outbox event, and only when that left nothing pending reports the
 * taken events with where its topics then stood (`report`): whatever was
 * written in reaction to them was committed before they were recorded, so
 * it was pending or published when the round began, and is now before
 * those positions.
 */
export class Reactions {
  private admin?: Promise<Admin>;

  constructor(
    private readonly log: Collection<ReactionDocument>,
    private readonly options: { source: string; into: readonly string[]; kafka: Kafka },
  ) {}

  static collectionName = 'consistency_reactions';

  async record(topic: string, envelopes: EventEnvelope[]): Promise<void> {
    const documents = envelopes
      .filter((envelope) => envelope.writeId)
      .map((envelope) => ({
        _id: envelope.id,
        writeId: envelope.writeId!,
        practiceId: envelope.practiceId,
        topic,
      }));
    if (!documents.length) return;
    try {
      await this.log.insertMany(documents, { ordered: false });
    } catch (error) {
      // Recorded already by an earlier delivery: the same report.
      const failed = (error as { writeErrors?: unknown[] }).writeErrors;
      if (!failed?.every(isDuplicateKeyError)) throw error;
    }
  }

  /**
   * A round's worth, in `_id` order (event ids: single strings): the hint
   * lets the native stack's FerretDB answer from the btree (ADR 0015), so
   * the plan does not hang on the statistics of a log that grew while the
   * relay was away.
   */
  take(): Promise<ReactionDocument[]> {
    return this.log
      .find({})
      .hint({ _id: 1 })
      .sort({ _id: 1 })
      .limit(REPORTED_PER_ROUND)
      .toArray() as Promise<ReactionDocument[]>;
  }

  /** Publishes a ReactionsPublished per write and topic of `taken`, then forgets them. */
  async report(producer: Producer, taken: ReactionDocument[]): Promise<number> {
    if (!taken.length) return 0;
    const positions = await this.positions();
    const groups = new Map<string, ReactionDocument[]>();
    for (const reaction of taken) {
      const key = `${reaction.practiceId}\n${reaction.writeId}\n${reaction.topic}`;
      groups.set(key, [...(groups.get(key) ?? []), reaction]);
    }
    const messages = [...groups.values()].map((group) => {
      const { practiceId, writeId, topic } = group[0]!;
      const envelope = buildEnvelope(
        ReactionsPublishedV1,
        { practiceId, writeId, topic, eventIds: group.map((r) => r._id), positions },
        {
          id: randomUUID(),
          source: this.options.source,
          time: new Date().toISOString(),
          practiceId,
          correlationId: writeId,
        },
      );
      return toWireRecord(envelope);
    });
    // Per partition: one sendBatch across leaders can lose a partition on a
    // leader failover and still resolve (see sendPerPartition).
    await sendPerPartition(producer, [{ topic: TOPICS.consistency.name, messages }]);
    await this.log.deleteMany({ _id: { $in: taken.map((r) => r._id) } });
    return messages.length;
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.then((connected) => connected.disconnect()).catch(() => undefined);
  }

  private async positions(): Promise<TopicPosition[]> {
    this.admin ??= this.connectAdmin();
    const admin = await this.admin;
    const all: TopicPosition[] = [];
    for (const topic of this.options.into) {
      for (const { partition, offset } of await admin.fetchTopicOffsets(topic)) {
        all.push({ topic, partition, offset: Number(offset) });
      }
    }
    return all;
  }

  private async connectAdmin(): Promise<Admin> {
    const admin = this.options.kafka.admin();
    try {
      await admin.connect();
      return admin;
    } catch (error) {
      this.admin = undefined;
      throw error;
    }
  }
}
