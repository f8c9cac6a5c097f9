import type { Producer, ProducerBatch, RecordMetadata } from 'kafkajs';
import { sendPerPartition, singlePartitionGroups } from './single-partition-sends.js';

describe('sendPerPartition', () => {
  it('sends one topic and key per sendBatch, with acks=all, in order', async () => {
    const calls: ProducerBatch[] = [];
    const producer = {
      sendBatch: async (batch: ProducerBatch): Promise<RecordMetadata[]> => {
        calls.push(batch);
        const { topic } = batch.topicMessages![0]!;
        return [{ topicName: topic, partition: 0, errorCode: 0 }];
      },
    } as unknown as Producer;

    const results = await sendPerPartition(producer, [
      {
        topic: 'gm.patient-messages',
        messages: [
          { key: 'thr_1', value: 'a' },
          { key: 'thr_2', value: 'b' },
          { key: 'thr_1', value: 'c' },
        ],
      },
      { topic: 'gm.access-audit', messages: [{ key: 'thr_1', value: 'd' }] },
    ]);

    expect(calls.map((call) => call.acks)).toEqual([-1, -1, -1]);
    expect(
      calls.map(({ topicMessages }) =>
        topicMessages!.map(({ topic, messages }) => [topic, messages.map((m) => m.value)]),
      ),
    ).toEqual([
      [['gm.patient-messages', ['a', 'c']]],
      [['gm.patient-messages', ['b']]],
      [['gm.access-audit', ['d']]],
    ]);
    expect(results).toHaveLength(3);
  });

  it('stops at the first failed group', async () => {
    const sent: string[] = [];
    const producer = {
      sendBatch: async ({ topicMessages }: ProducerBatch) => {
        const key = String(topicMessages![0]!.messages[0]!.key);
        if (key === 'k2') throw new Error('leader gone');
        sent.push(key);
        return [];
      },
    } as unknown as Producer;
    await expect(
      sendPerPartition(producer, [
        {
          topic: 't',
          messages: ['k1', 'k2', 'k3'].map((key) => ({ key, value: key })),
        },
      ]),
    ).rejects.toThrow('leader gone');
    expect(sent).toEqual(['k1']);
  });
});

describe('singlePartitionGroups', () => {
  it('groups an explicit partition together and sends keyless messages alone', () => {
    const groups = singlePartitionGroups([
      {
        topic: 't',
        messages: [
          { value: 'no key 1' },
          { key: 'x', partition: 2, value: 'p2 a' },
          { key: 'y', partition: 2, value: 'p2 b' },
          { key: null, value: 'no key 2' },
        ],
      },
    ]);
    expect(groups.map((group) => group.messages.map((m) => m.value))).toEqual([
      ['no key 1'],
      ['p2 a', 'p2 b'],
      ['no key 2'],
    ]);
  });
});
