import type { Db, Document, MongoClient } from 'mongodb';

/** One `find` a client sent: what `explain` needs to plan it again. */
export interface SentFind {
  database: string;
  collection: string;
  filter: Document;
  sort?: Document;
  limit?: number;
  hint?: Document | string;
}

/** A find the server answers by reading its whole table. */
export interface SequentialScan {
  find: SentFind;
  plan: unknown;
}

/**
 * Records every `find` a MongoDB client sends (the service's own client, so
 * that what is checked is the query the code really sends), then asks the
 * server to explain each one. On FerretDB the plan is PostgreSQL's, and a
 * `Seq Scan` node is a lookup that reads the whole collection (ADR 0015).
 *
 * PostgreSQL reads a small table whole whatever its indexes, so the
 * collections must hold enough documents (a few thousand) when explained.
 */
export class QueryPlans {
  private readonly sent: SentFind[] = [];
  private readonly listener = (event: {
    commandName: string;
    databaseName: string;
    command: Document;
  }) => {
    if (event.commandName !== 'find') return;
    const { find, filter, sort, limit, hint } = event.command;
    this.sent.push({
      database: event.databaseName,
      collection: find as string,
      filter: filter ?? {},
      sort,
      limit,
      hint,
    });
  };

  constructor(private readonly client: MongoClient) {}

  /** The client must have been created monitoring commands (see `monitoredUri`). */
  start(): this {
    if (!this.client.options.monitorCommands)
      throw new Error(
        'QueryPlans: the client does not monitor commands; connect it with monitoredUri()',
      );
    this.client.on('commandStarted', this.listener);
    return this;
  }

  stop(): void {
    this.client.off('commandStarted', this.listener);
  }

  /** The distinct finds sent so far (same collection, filter keys, sort and hint: one shape). */
  finds(): SentFind[] {
    const shapes = new Map<string, SentFind>();
    for (const find of this.sent) shapes.set(shapeOf(find), find);
    return [...shapes.values()];
  }

  /** Every distinct find sent so far whose plan reads a whole table. */
  async sequentialScans(): Promise<SequentialScan[]> {
    const scans: SequentialScan[] = [];
    for (const find of this.finds()) {
      const { database, collection, filter, sort, limit, hint } = find;
      const explained = await this.client.db(database).command({
        explain: {
          find: collection,
          filter,
          ...(sort && { sort }),
          ...(limit && { limit }),
          ...(hint && { hint }),
        },
        verbosity: 'queryPlanner',
      });
      const plan: unknown = explained.queryPlanner;
      if (nodeTypes(plan).includes('Seq Scan')) scans.push({ find, plan });
    }
    return scans;
  }
}

/** A connection string whose clients report every command they send (connections copy it when made). */
export function monitoredUri(uri: string): string {
  return `${uri}${uri.includes('?') ? '&' : uri.endsWith('/') ? '?' : '/?'}monitorCommands=true`;
}

/** Collection, filter field names (with operators), sort and hint: what decides the plan. */
function shapeOf(find: SentFind): string {
  const fields = (value: unknown): unknown =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fields(v)]))
      : typeof value;
  return JSON.stringify([
    find.database,
    find.collection,
    fields(find.filter),
    find.sort,
    find.hint,
  ]);
}

/** Every "Node Type" in a PostgreSQL JSON plan. */
function nodeTypes(plan: unknown): string[] {
  if (!plan || typeof plan !== 'object') return [];
  const node = plan as Record<string, unknown>;
  const own = typeof node['Node Type'] === 'string' ? [node['Node Type']] : [];
  const children = Object.values(node).flatMap((value) =>
    Array.isArray(value) ? value.flatMap(nodeTypes) : nodeTypes(value),
  );
  return [...own, ...children];
}

const HISTORY_FILLER = 'x'.repeat(1000);

/**
 * Gives every collection of a database `count` documents of practices no
 * test reads, so that PostgreSQL plans its queries as it would on a store
 * with history instead of reading a table of a few pages whole. Each
 * indexed field gets one of 300 values, so that the statistics see what a
 * real store holds: many practices, members and patients, each a small
 * share of the rows. Each also carries about a kilobyte, as a stored
 * thread or member does: with padding of a few bytes the tables stay a few
 * pages long, and once PostgreSQL has analysed them it rightly prefers
 * reading them whole, which made the explain tests fail by chance.
 */
export async function padCollections(db: Db, count = 5000): Promise<void> {
  const collections = await db.listCollections({}, { nameOnly: true }).toArray();
  for (const { name } of collections) {
    const collection = db.collection<{ _id: string; [field: string]: unknown }>(name);
    const indexed = new Set(
      (await collection.indexes())
        .flatMap((index) => Object.keys(index.key))
        .filter((field) => field !== '_id' && !field.includes('.')),
    );
    const padding = Array.from({ length: count }, (_, i) => ({
      _id: `padding_${i}`,
      ...Object.fromEntries([...indexed].map((field) => [field, `${field}_padding_${i % 300}`])),
      history: HISTORY_FILLER,
    }));
    for (let i = 0; i < padding.length; i += 1000)
      await collection.insertMany(padding.slice(i, i + 1000));
  }
}
