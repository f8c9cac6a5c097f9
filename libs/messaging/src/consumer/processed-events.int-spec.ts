import { testInfrastructure, uniqueName } from '@gm/testing';
import { MongoClient, type Db } from 'mongodb';
import { MongoProcessedEvents } from './processed-events.js';

let client: MongoClient;
let db: Db;

beforeAll(async () => {
  client = await new MongoClient(testInfrastructure().mongoUri, { retryWrites: false }).connect();
  db = client.db(uniqueName('processed'));
});

afterAll(async () => {
  await db?.dropDatabase();
  await client?.close();
});

test('remembers applied ids, and forgets only those applied before the cut-off', async () => {
  const collection = db.collection<{ _id: string; processedAt: Date }>('processed_events');
  const processed = new MongoProcessedEvents(collection);
  await processed.remember('evt_old');
  await processed.remember('evt_new');
  await processed.remember('evt_new'); // a repeat is not an error
  const eightDaysAgo = new Date(Date.now() - 8 * 24 * 3600_000);
  await collection.updateOne({ _id: 'evt_old' }, { $set: { processedAt: eightDaysAgo } });

  expect(await processed.forget(new Date(Date.now() - 7 * 24 * 3600_000))).toBe(1);
  expect(await processed.has('evt_old')).toBe(false);
  expect(await processed.has('evt_new')).toBe(true);
});
