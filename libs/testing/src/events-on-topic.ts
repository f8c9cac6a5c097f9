import { fromWireRecord, type EventEnvelope } from '@gm/contracts';
import type { Consumer, Kafka } from 'kafkajs';
import { uniqueName } from './test-infrastructure.js';

/**
 * Reads a topic from the beginning in a consumer group of its own and keeps
 * every event (validated against its contract) of one practice.
 */
export class EventsOnTopic {
  readonly events: EventEnvelope[] = [];
  readonly invalid: string[] = [];
  private consumer?: Consumer;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly practiceId: string,
  ) {}

  async start(): Promise<this> {
    this.consumer = this.kafka.consumer({ groupId: uniqueName('it-observer') });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        const practice = message.headers?.ce_practiceid?.toString();
        if (practice !== this.practiceId) return;
        try {
          this.events.push(fromWireRecord(message));
        } catch (error) {
          this.invalid.push(String(error));
        }
      },
    });
    return this;
  }

  ofType(type: string, subject?: string): EventEnvelope[] {
    return this.events.filter(
      (event) => event.type === type && (subject === undefined || event.subject === subject),
    );
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
