import type { Static, TSchema } from '@sinclair/typebox';

/** A JSON Schema (draft-07) kept as a plain object so it can also be published. */
export type JsonSchema = Record<string, unknown>;

export interface TopicDefinition {
  name: string;
  /** Compacted state topics let a new consumer rebuild its replica. */
  compacted: boolean;
  partitions: number;
  /** What the Kafka key is, for the AsyncAPI document. */
  key: string;
  description: string;
  /**
   * How long a non-compacted topic keeps its records (`retention.ms`), when it
   * must differ from the broker's default; the owning service enforces it.
   */
  retentionMs?: number;
  /**
   * Whether its records may carry PHI (message text, names, patient ids,
   * who read what). Only the analytics topics are PHI-free, and the AsyncAPI
   * document says which is which.
   */
  phi: boolean;
}

export interface EventDefinition<T> {
  /** Product name of the fact, e.g. `MessageGroupCreated`. Never a class name on the wire. */
  name: string;
  /** The wire type, e.g. `gm.message-group.created.v1`. */
  type: string;
  version: number;
  topic: TopicDefinition;
  /** Data field holding the aggregate id, used as the Kafka key and `ce_subject`. */
  keyField: keyof T & string;
  description: string;
  /**
   * The data's JSON Schema as published (AsyncAPI, libs/contracts/published):
   * plain JSON, built with TypeBox by `defineEvent` and stripped of its symbols.
   */
  schema: JsonSchema;
  /** Phantom field carrying the payload type; never set. */
  readonly __data?: T;
}

/**
 * One event type and version. The schema is written once, with TypeBox
 * (`Type` and `schema-parts.ts`), and the payload type is derived from it:
 * `export type X = EventData<typeof X>`. The definition keeps the schema as
 * plain JSON Schema (no TypeBox symbols), as it is published.
 */
export function defineEvent<S extends TSchema>(
  definition: Omit<EventDefinition<Static<S>>, '__data' | 'schema'> & { schema: S },
): EventDefinition<Static<S>> {
  const expectedSuffix = `.v${definition.version}`;
  if (!definition.type.endsWith(expectedSuffix)) {
    throw new Error(`event type ${definition.type} must end with ${expectedSuffix}`);
  }
  return { ...definition, schema: plainJsonSchema(definition.schema) };
}

const LAST_KEYWORDS = ['examples', 'properties', 'required'];
const rank = (keyword: string): number =>
  keyword === 'type'
    ? 0
    : keyword === 'description'
      ? 1
      : LAST_KEYWORDS.includes(keyword)
        ? 3 + LAST_KEYWORDS.indexOf(keyword)
        : 2;

function ordered(node: unknown, propertyMap = false): unknown {
  if (Array.isArray(node)) return node.map((item) => ordered(item));
  if (!node || typeof node !== 'object') return node;
  const entries = Object.entries(node);
  if (!propertyMap) entries.sort(([a], [b]) => rank(a) - rank(b));
  return Object.fromEntries(
    entries.map(([key, value]) => [key, ordered(value, key === 'properties' && !propertyMap)]),
  );
}

/**
 * A TypeBox schema as plain JSON Schema: no symbols (a JSON round trip), its
 * keywords in one readable order (`type`, `description`, constraints,
 * `examples`, `properties`, `required`); property order is kept.
 */
function plainJsonSchema(schema: TSchema): JsonSchema {
  return ordered(JSON.parse(JSON.stringify(schema))) as JsonSchema;
}

export type EventData<D> = D extends EventDefinition<infer T> ? T : never;

export const dataSchemaUri = (type: string): string => `urn:group-messages:schema:${type}`;
