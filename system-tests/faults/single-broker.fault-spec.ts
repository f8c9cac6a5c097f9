/**
 * Faults under load on a single broker: kill -9 of each of the six services
 * in turn (started again on the same port, database and consumer group),
 * then kill -9 of the Kafka broker and of FerretDB (both started again on
 * their data), while patients keep sending. Afterwards every accepted
 * message is in exactly its places, once, and nothing else is.
 */
import { SERVICE_NAMES } from './layout.js';
import { expectEveryAcceptedMessageOnce } from './expectations.js';
import { FaultWorld, type SingleBroker } from './world.js';

describe('faults under load, single broker', () => {
  const world = FaultWorld.create('single-broker');

  beforeAll(async () => {
    await world.open();
  }, 300_000);

  afterAll(async () => {
    await world.close();
  }, 120_000);

  test('every accepted message lands in exactly its inboxes once, through kills of every service, the broker and FerretDB', async () => {
    const broker = world.kafka as SingleBroker;
    const result = await world.runUnderLoad([
      ...SERVICE_NAMES.map((service) => world.serviceFault(service)),
      {
        name: 'kill -9 kafka broker',
        inject: async () => {
          await broker.crashAndRestart();
          await world.allReady();
        },
      },
      {
        name: 'kill -9 ferretdb',
        inject: async () => {
          await world.ferret.crashAndRestart();
          await world.allReady();
        },
      },
    ]);
    expectEveryAcceptedMessageOnce(world, result);
  }, 900_000);
});
