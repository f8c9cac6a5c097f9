import { testInfrastructure, uniqueName } from '@gm/testing';
import { Redis } from 'ioredis';
import { MongoClient, type Collection, type Db } from 'mongodb';
import { RedisDocumentLocks } from '../lease/redis-document-locks.js';
import { memberChanged } from '../walking-skeleton/member-events.fixture.js';
import { OutboxCollection } from './outbox-collection.js';

interface Thread {
  _id: string;
  state: string;
  _outbox?: unknown[];
  _outboxPending?: boolean;
}

let client: MongoClient;
let redis: Redis;
let db: Db;
let collection: Collection<Thread>;
let writes: OutboxCollection<Thread>;

beforeAll(async () => {
  const infra = testInfrastructure();
  client = await new MongoClient(infra.mongoUri, { retryWrites: false }).connect();
  redis = new Redis(infra.redisUrl);
  db = client.db(uniqueName('outbox_collection'));
  collection = db.collection<Thread>('threads');
  writes = new OutboxCollection(collection, new RedisDocumentLocks(redis));
});

afterAll(async () => {
  await db?.dropDatabase();
  await client?.close();
  redis?.disconnect();
});

const event = (id: string) => memberChanged('it.outbox', 'prc_1', id, 1);

it('inserts many documents with their events at once, and leaves out an id that exists', async () => {
  await writes.insert({ _id: 'a', state: 'first' }, [event('a')]);
  const inserted = await writes.insertMany([
    { document: { _id: 'a', state: 'again' }, events: [event('a2')] },
    { document: { _id: 'b', state: 'new' }, events: [event('b')] },
    { document: { _id: 'c', state: 'quiet' }, events: [] },
  ]);
  expect([...inserted].sort()).toEqual(['b', 'c']);
  const stored = await collection.find().sort({ _id: 1 }).toArray();
  expect(stored.map((d) => [d._id, d.state, d._outboxPending, d._outbox?.length])).toEqual([
    ['a', 'first', true, 1],
    ['b', 'new', true, 1],
    ['c', 'quiet', false, 0],
  ]);
});
