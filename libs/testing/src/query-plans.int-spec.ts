/**
 * The MongoDB-protocol store of the native stack (FerretDB with the
 * project's patches, ADR 0015) against the query shapes the services use:
 * equality lookups are served by an index, and a page whose hint names its
 * index is answered by that index in order, with exactly MongoDB's answer.
 */
import { MongoClient, type Collection, type Db } from 'mongodb';
import { monitoredUri, QueryPlans } from './query-plans.js';
import { testInfrastructure, uniqueName } from './test-infrastructure.js';

interface Entry {
  _id: string;
  ownerId: string;
  bucket: string;
  inAll: boolean;
  sortKey: string | number;
  label?: string;
}

const PAGE_INDEX = { ownerId: 1, bucket: 1, sortKey: -1 } as const;
const ALL_INDEX = { ownerId: 1, inAll: 1, sortKey: -1 } as const;
const OWNERS = ['own_a', 'own_b', 'own_c'];
const BUCKETS = ['not-replied', 'replied', 'trash'];

let client: MongoClient;
let db: Db;
let entries: Collection<Entry>;
let stored: Entry[];

/** A deterministic generator: the same documents in every run. */
function* numbers(seed: number): Generator<number> {
  let x = seed;
  for (;;) {
    x = (x * 1103515245 + 12345) % 2147483648;
    yield x;
  }
}

beforeAll(async () => {
  client = await new MongoClient(monitoredUri(testInfrastructure().mongoUri), {
    retryWrites: false,
  }).connect();
  db = client.db(uniqueName('store'));
  entries = db.collection<Entry>('entries');
  await entries.createIndex(PAGE_INDEX, { name: 'page_by_bucket' });
  await entries.createIndex(ALL_INDEX, { name: 'page_all' });
  const random = numbers(7);
  const next = () => random.next().value as number;
  stored = Array.from({ length: 3000 }, (_, i) => {
    const bucket = BUCKETS[next() % 3]!;
    return {
      _id: `ent_${i}`,
      ownerId: OWNERS[next() % 3]!,
      bucket,
      inAll: bucket !== 'trash',
      // Keys sort like the inbox's `lastActivityAt|threadId`.
      sortKey: `2026-11-${String(1 + (next() % 28)).padStart(2, '0')}T00:00:00Z|ent_${i}`,
    };
  });
  // Outside the hint's promise (strings only): a range on strings must still never return these.
  stored.push(
    ...[1, 2, 3].map((n) => ({
      _id: `num_${n}`,
      ownerId: 'own_a',
      bucket: 'trash',
      inAll: false,
      sortKey: n,
    })),
  );
  for (let i = 0; i < stored.length; i += 500) await entries.insertMany(stored.slice(i, i + 500));
});

afterAll(async () => {
  await db?.dropDatabase();
  await client?.close();
});

/** MongoDB's answer, computed here: string keys below the cursor, newest first. */
function expectedPage(
  match: (e: Entry) => boolean,
  before: string | null,
  limit: number,
): string[] {
  return stored
    .filter(
      (e) => match(e) && typeof e.sortKey === 'string' && (before === null || e.sortKey < before),
    )
    .sort((a, b) => (a.sortKey < b.sortKey ? 1 : -1))
    .slice(0, limit)
    .map((e) => e._id);
}

describe('equality lookups', () => {
  test('by _id, by one field and by an index prefix are served by an index; an unindexed field is not', async () => {
    const plans = new QueryPlans(client).start();
    await entries.findOne({ _id: 'ent_42' });
    await entries.find({ ownerId: 'own_a' }).toArray();
    await entries.find({ ownerId: 'own_b', bucket: 'replied' }).toArray();
    await entries.find({ ownerId: 'own_c', inAll: true }).toArray();
    await entries.find({ label: 'nobody has this' }).toArray();
    plans.stop();

    const scans = await plans.sequentialScans();
    // The last find is the control: it proves a sequential scan is reported.
    expect(scans.map((s) => s.find.filter)).toEqual([{ label: 'nobody has this' }]);
    expect(plans.finds()).toHaveLength(5);
  });

  test('answers equal the documents stored', async () => {
    expect((await entries.findOne({ _id: 'ent_42' }))?._id).toBe('ent_42');
    const owned = await entries.find({ ownerId: 'own_b', bucket: 'replied' }).toArray();
    expect(owned.map((e) => e._id).sort()).toEqual(
      stored
        .filter((e) => e.ownerId === 'own_b' && e.bucket === 'replied')
        .map((e) => e._id)
        .sort(),
    );
  });
});

describe('hinted pages', () => {
  const page = (
    filter: Record<string, unknown>,
    before: string | null,
    hint: Record<string, number>,
  ) =>
    entries
      .find(before ? { ...filter, sortKey: { $lt: before } } : filter)
      .sort({ sortKey: -1 })
      .limit(21)
      .hint(hint)
      .toArray()
      .then((rows) => rows.map((e) => e._id));

  test('every page of every owner and bucket is MongoDB’s answer, walked by cursor to the end', async () => {
    let pages = 0;
    for (const ownerId of OWNERS) {
      for (const bucket of [...BUCKETS, 'all']) {
        const filter = bucket === 'all' ? { ownerId, inAll: true } : { ownerId, bucket };
        const match = (e: Entry) =>
          e.ownerId === ownerId && (bucket === 'all' ? e.inAll : e.bucket === bucket);
        const hint = bucket === 'all' ? ALL_INDEX : PAGE_INDEX;
        let before: string | null = bucket === 'trash' ? '9' : null; // own_a's numbers: see above
        for (;;) {
          const got = await page(filter, before, hint);
          expect(got).toEqual(expectedPage(match, before, 21));
          pages += 1;
          if (got.length < 21) break;
          before = stored.find((e) => e._id === got[20])!.sortKey as string;
        }
      }
    }
    expect(pages).toBeGreaterThan(50);
  });

  test('are read in index order: no sequential scan, the sort and the limit pushed down', async () => {
    const plans = new QueryPlans(client).start();
    await page({ ownerId: 'own_a', bucket: 'trash' }, '2026-11-15', PAGE_INDEX);
    await page({ ownerId: 'own_a', inAll: true }, null, ALL_INDEX);
    plans.stop();
    expect(await plans.sequentialScans()).toEqual([]);

    const explained = await entries
      .find({ ownerId: 'own_a', bucket: 'trash', sortKey: { $lt: '2026-11-15' } })
      .sort({ sortKey: -1 })
      .limit(21)
      .hint(PAGE_INDEX)
      .explain();
    expect(explained).toMatchObject({ sortPushdown: true, limitPushdown: true });
  });

  test('without a hint the same page is still MongoDB’s answer (sorted in memory)', async () => {
    const got = await entries
      .find({ ownerId: 'own_b', bucket: 'not-replied', sortKey: { $lt: '2026-11-20' } })
      .sort({ sortKey: -1 })
      .limit(21)
      .toArray();
    const match = (e: Entry) => e.ownerId === 'own_b' && e.bucket === 'not-replied';
    expect(got.map((e) => e._id)).toEqual(expectedPage(match, '2026-11-20', 21));
  });
});
