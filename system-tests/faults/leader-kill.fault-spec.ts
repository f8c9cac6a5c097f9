/**
 * The same load on a three-node KRaft cluster: topics with replication 3
 * and min.insync.replicas=2 (KAFKA_REPLICATION_FACTOR / KAFKA_MIN_INSYNC_REPLICAS
 * of the services), idempotent producers with acks=all. The leader of a
 * partition of gm.patient-messages is killed with SIGKILL mid-load (and
 * started again later); with two of three replicas left every write still
 * commits, and nothing may be lost or doubled.
 */
import { TOPICS } from '@gm/contracts';
import { createKafka, silentLogger } from '@gm/messaging';
import { expectEveryAcceptedMessageOnce } from './expectations.js';
import { FaultWorld, type KafkaCluster } from './world.js';

describe('faults under load, three brokers', () => {
  const world = FaultWorld.create('three-brokers');

  beforeAll(async () => {
    await world.open();
  }, 300_000);

  afterAll(async () => {
    await world.close();
  }, 120_000);

  /** Node id of the leader of partition 0 of the patients' messages, and how the topic is set up. */
  async function topicState() {
    const kafka = createKafka(
      { brokers: world.kafka.brokers, clientId: 'faults-leader' },
      silentLogger,
    );
    const admin = kafka.admin();
    await admin.connect();
    try {
      const topic = TOPICS.patientMessages.name;
      const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
      const configs = await admin.describeConfigs({
        resources: [{ type: 2, name: topic, configNames: ['min.insync.replicas'] }],
        includeSynonyms: false,
      });
      return {
        leader: metadata!.partitions.find((p) => p.partitionId === 0)!.leader,
        replicas: metadata!.partitions.map((p) => p.replicas.length),
        minInsync: configs.resources[0]!.configEntries[0]!.configValue,
      };
    } finally {
      await admin.disconnect();
    }
  }

  test('every accepted message lands in exactly its inboxes once when a partition leader is killed', async () => {
    const cluster = world.kafka as KafkaCluster;
    const before = await topicState();
    // The services created the topics: replication 3, min.insync.replicas 2.
    expect(before.replicas.every((n) => n === 3)).toBe(true);
    expect(before.minInsync).toBe('2');

    let killed = 0;
    let newLeader = -1;
    const result = await world.runUnderLoad([
      {
        name: 'kill -9 leader of patient-messages/0',
        inject: async () => {
          killed = (await topicState()).leader;
          await cluster.crash(killed);
          // A new leader from the ISR is elected; the services go on with 2 of 3 replicas.
          const deadline = Date.now() + 60_000;
          for (;;) {
            newLeader = (await topicState().catch(() => ({ leader: -1 }))).leader;
            if (newLeader > 0 && newLeader !== killed) break;
            if (Date.now() > deadline) throw new Error('no new leader within 60 s');
            await new Promise((resolve) => setTimeout(resolve, 250));
          }
          await world.allReady();
        },
      },
      {
        name: 'restart the killed node',
        inject: async () => {
          await cluster.restart(killed);
          await world.allReady();
        },
      },
    ]);
    expect(newLeader).not.toBe(killed);
    expectEveryAcceptedMessageOnce(world, result);
  }, 900_000);
});
