import type { Message, Producer, RecordMetadata, TopicMessages } from 'kafkajs';

/**
 * Publishes `topicMessages` with acks=all as a series of `sendBatch` calls,
 * one per topic and key (in the order the groups first appear, each group in
 * its messages' order), so that every call goes to a single partition and
 * hence to a single partition leader. Per-key order is kept; a failure
 * rejects, after the groups before it were published (at least once).
 *
 * Why not one `sendBatch` for everything: kafkajs 2.2.4
 * (src/producer/sendMessages.js) keeps each broker's response across the
 * retries of one call and, on a retry, sends only to brokers that have no
 * response yet, with the partitions they lead *now*. When a leader dies
 * mid-request (ECONNRESET) and its partition moves to a broker that already
 * answered for another partition of the same call, that partition is never
 * sent again, and the call resolves all the same: its messages are lost
 * although the caller saw success (leader-kill fault run, 63 of 64). With one
 * partition per call there is one broker per call, whose request is re-sent
 * in full when it fails. See kafkajs-send-retry.spec.ts.
 */
export async function sendPerPartition(
  producer: Producer,
  topicMessages: TopicMessages[],
): Promise<RecordMetadata[]> {
  const results: RecordMetadata[] = [];
  for (const group of singlePartitionGroups(topicMessages)) {
    results.push(...(await producer.sendBatch({ acks: -1, topicMessages: [group] })));
  }
  return results;
}

/**
 * Groups that each map to one partition whatever the partition count: an
 * explicit partition, else a string key (kafkajs's partitioners hash it);
 * a message with neither (or a Buffer key) goes alone.
 */
export function singlePartitionGroups(topicMessages: TopicMessages[]): TopicMessages[] {
  const groups = new Map<string, TopicMessages>();
  let alone = 0;
  for (const { topic, messages } of topicMessages) {
    for (const message of messages) {
      const id = `${topic}\u0000${partitionOf(message) ?? `alone:${alone++}`}`;
      let group = groups.get(id);
      if (!group) {
        group = { topic, messages: [] };
        groups.set(id, group);
      }
      group.messages.push(message);
    }
  }
  return [...groups.values()];
}

function partitionOf(message: Message): string | undefined {
  if (message.partition !== undefined && message.partition !== null)
    return `partition:${message.partition}`;
  if (typeof message.key === 'string') return `key:${message.key}`;
  return undefined;
}
