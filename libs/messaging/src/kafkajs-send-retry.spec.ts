/**
 * Pins the kafkajs behaviour sendPerPartition works around, against kafkajs's
 * own src/producer/sendMessages.js and retrier, with a fake two-broker
 * cluster: node 1 leads gm.patient-messages/0 and dies mid-request
 * (ECONNRESET); node 2 leads gm.access-audit/0 and answers; after the
 * metadata refresh node 2 also leads gm.patient-messages/0. If this first
 * test starts failing, kafkajs re-sends the lost partition: the workaround
 * may go.
 */
import { createRequire } from 'node:module';
import type { Producer, ProducerBatch, RecordMetadata, TopicMessages } from 'kafkajs';
import { sendPerPartition } from './single-partition-sends.js';

const require = createRequire(import.meta.url);
type SendMessages = (request: {
  acks: number;
  topicMessages: TopicMessages[];
}) => Promise<RecordMetadata[]>;
const createSendMessages = require('kafkajs/src/producer/sendMessages.js') as (
  options: object,
) => SendMessages;
const createRetry = require('kafkajs/src/retry/index.js') as (options: object) => unknown;
const { KafkaJSConnectionError } = require('kafkajs/src/errors.js') as {
  KafkaJSConnectionError: new (message: string, fields: object) => Error;
};

interface TopicData {
  topic: string;
  partitions: { partition: number; messages: { value: string }[] }[];
}

function failoverWorld() {
  let leaderOfMessages = 1;
  let node1Down = false;
  const delivered: string[] = [];
  const broker = (nodeId: number) => ({
    nodeId,
    async produce({ topicData }: { topicData: TopicData[] }) {
      if (nodeId === 1) {
        node1Down = true; // kill -9: the request is lost with the connection
        throw new KafkaJSConnectionError('Connection error: read ECONNRESET', {
          code: 'ECONNRESET',
        });
      }
      for (const { partitions } of topicData)
        for (const { messages } of partitions) delivered.push(...messages.map((m) => m.value));
      return {
        topics: topicData.map(({ topic, partitions }) => ({
          topicName: topic,
          partitions: partitions.map(({ partition }) => ({
            partition,
            errorCode: 0,
            baseOffset: '0',
            logAppendTime: '-1',
            logStartOffset: '0',
          })),
        })),
      };
    },
  });
  const brokers: Record<number, ReturnType<typeof broker>> = { 1: broker(1), 2: broker(2) };
  const cluster = {
    refreshMetadataIfNecessary: async () => undefined,
    refreshMetadata: async () => {
      if (node1Down) leaderOfMessages = 2;
    },
    addMultipleTargetTopics: async () => undefined,
    isConnected: () => true,
    removeBroker: () => undefined,
    findTopicPartitionMetadata: () => [{ partitionId: 0, leader: 0 }],
    findLeaderForPartitions: (topic: string, partitions: string[]) => ({
      [topic === 'gm.patient-messages' ? leaderOfMessages : 2]: partitions.map(Number),
    }),
    findBroker: async ({ nodeId }: { nodeId: number }) => brokers[nodeId],
  };
  const sequences = new Map<string, number>();
  const eosManager = {
    acquireBrokerLock: async () => undefined,
    releaseBrokerLock: async () => undefined,
    isTransactional: () => false,
    getTransactionalId: () => undefined,
    getProducerId: () => 1,
    getProducerEpoch: () => 0,
    getSequence: (topic: string, partition: number) => sequences.get(`${topic}/${partition}`) ?? 0,
    updateSequence: (topic: string, partition: number, increment: number) =>
      sequences.set(
        `${topic}/${partition}`,
        (sequences.get(`${topic}/${partition}`) ?? 0) + increment,
      ),
  };
  const sendMessages = createSendMessages({
    logger: { debug: () => undefined, error: () => undefined },
    cluster,
    eosManager,
    partitioner: () => 0,
    retrier: createRetry({ initialRetryTime: 5, retries: 3 }),
  });
  const producer = {
    sendBatch: ({ acks, topicMessages }: ProducerBatch) =>
      sendMessages({ acks: acks ?? -1, topicMessages: topicMessages ?? [] }),
  } as unknown as Producer;
  return { sendMessages, producer, delivered };
}

const patientSend: TopicMessages[] = [
  { topic: 'gm.patient-messages', messages: [{ key: 'thr_1', value: 'MessageSent' }] },
  { topic: 'gm.access-audit', messages: [{ key: 'thr_1', value: 'AccessRecorded' }] },
];

it('kafkajs: a sendBatch across two leaders resolves without the partition of the one that died', async () => {
  const world = failoverWorld();
  const results = await world.sendMessages({ acks: -1, topicMessages: patientSend });
  expect(results.map((r) => r.topicName)).toEqual(['gm.access-audit']);
  expect(world.delivered).toEqual(['AccessRecorded']); // MessageSent: never sent again
});

it('sendPerPartition: the same failover delivers both events', async () => {
  const world = failoverWorld();
  await sendPerPartition(world.producer, patientSend);
  expect(world.delivered).toEqual(['MessageSent', 'AccessRecorded']);
});
