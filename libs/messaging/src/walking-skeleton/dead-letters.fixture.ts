import { deadLetterTopic } from '@gm/contracts';
import { uniqueName, waitFor } from '@gm/testing';
import type { Kafka, KafkaMessage } from 'kafkajs';

/** Reads a consumer group's dead-letter topic from its start until `expected` letters are there. */
export async function readDeadLetters(
  kafka: Kafka,
  groupId: string,
  expected: number,
): Promise<KafkaMessage[]> {
  const messages: KafkaMessage[] = [];
  const reader = kafka.consumer({ groupId: uniqueName('it-dlq-reader') });
  await reader.connect();
  await reader.subscribe({ topic: deadLetterTopic(groupId), fromBeginning: true });
  await reader.run({ eachMessage: async ({ message }) => void messages.push(message) });
  try {
    return await waitFor(
      async () => messages,
      (m) => m.length >= expected,
      { description: `${expected} dead letters` },
    );
  } finally {
    await reader.disconnect();
  }
}
