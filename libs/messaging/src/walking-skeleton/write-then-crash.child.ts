/**
 * A producer process that dies (SIGKILL) right after its state write and
 * before any publish: the walking-skeleton test restarts a relay and expects
 * the event to arrive anyway.
 */
import { MongoClient } from 'mongodb';
import { outboxForInsert } from '../outbox/outbox-writes.js';
import { memberChanged } from './member-events.fixture.js';

const { MONGODB_URI, PRODUCER_DB, TOPIC, PRACTICE_ID, MEMBER_ID } = process.env as Record<
  string,
  string
>;

const client = await new MongoClient(MONGODB_URI!, { retryWrites: false }).connect();
const event = memberChanged(TOPIC!, PRACTICE_ID!, MEMBER_ID!, 1);
await client
  .db(PRODUCER_DB)
  .collection('members')
  .insertOne({ _id: MEMBER_ID as never, version: 1, ...outboxForInsert([event]) });
process.stdout.write(`written ${event.envelope.id}\n`);
process.kill(process.pid, 'SIGKILL');
