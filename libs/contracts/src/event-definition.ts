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
  schema: JsonSchema;
  /** Phantom field carrying the payload type; never set. */
  readonly __data?: T;
}

export function defineEvent<T>(definition: Omit<EventDefinition<T>, '__data'>): EventDefinition<T> {
  const expectedSuffix = `.v${definition.version}`;
  if (!definition.type.endsWith(expectedSuffix)) {
    throw new Error(`event type ${definition.type} must end with ${expectedSuffix}`);
  }
  return definition;
}

export type EventData<D> = D extends EventDefinition<infer T> ? T : never;

export const dataSchemaUri = (type: string): string => `urn:group-messages:schema:${type}`;
