import { EVENT_CATALOGUE } from './catalogue.js';
import { CE_HEADERS, CLOUDEVENTS_SPEC_VERSION } from './envelope.js';
import {
  dataSchemaUri,
  type EventDefinition,
  type JsonSchema,
  type TopicDefinition,
} from './event-definition.js';
import { TOPICS, deadLetterTopic } from './topics.js';

/**
 * The AsyncAPI 3.0 document for downstream consumers, generated from TOPICS and
 * EVENT_CATALOGUE (never hand-copied). `libs/contracts/asyncapi.yaml` is its
 * committed YAML form; asyncapi.spec.ts fails when that file is stale.
 */

const KAFKA_BINDING_VERSION = '0.5.0';
const REGENERATE_COMMAND =
  'UPDATE_ASYNCAPI=1 NODE_OPTIONS=--experimental-vm-modules npx jest --selectProjects unit libs/contracts/src/asyncapi.spec.ts';

/** Data fields that are PHI wherever they appear (message subject and body). */
const PHI_FIELDS = ['subject', 'body'];

const DESCRIPTION = `Events of the Group Messages platform (patients message a team of a medical practice).

## Envelope
Every record is a CloudEvents 1.0 event in Kafka *binary content mode*: the context attributes travel as Kafka headers, the record value is the event data as UTF-8 JSON (\`content-type: application/json\`). Headers:
- \`ce_id\`: unique event id. Delivery is at-least-once, so the same event can arrive more than once: consumers dedupe on \`ce_id\` (or apply state events with a version-checked upsert on the \`version\` field).
- \`ce_type\`: the versioned event type, e.g. \`gm.message-group.created.v1\`.
- \`ce_source\`: the producing service, e.g. \`/services/group-config\`.
- \`ce_time\`: RFC 3339 time the fact happened.
- \`ce_specversion\`: always \`1.0\`.
- \`ce_subject\`: the aggregate id; equals the Kafka key.
- \`ce_dataschema\`: \`urn:group-messages:schema:<type>\`, naming the payload schema below.
- Extensions: \`ce_practiceid\` (the practice the event belongs to; equals the data's \`practiceId\`), \`ce_correlationid\` (shared by every event of one user action or flow), \`ce_causationid\` (optional: the \`ce_id\` of the event that caused this one), \`ce_writeid\` (optional: the HTTP write that produced the event; a \`Consistency-Token\` names it, and \`gm.consistency\` reports on it), \`ce_traceparent\` and \`ce_tracestate\` (optional: the CloudEvents distributed-tracing extension, W3C Trace Context of the span that published the event).

## Keys, ordering and retention
Records are keyed by the aggregate id (a thread's events by thread id, a group's by group id...). Kafka orders records per partition, so the events of one aggregate are consumed in the order they were produced; there is no order across keys. State topics (directory, message groups, PHR preferences) are compacted and carry the full current state on every change, so a new consumer rebuilds its replica by reading them from the beginning. Thread topics keep every fact (cleanup policy delete).

## Privacy
Message \`subject\` and \`body\` fields are PHI (messages tagged \`phi\`): never log them, never copy them into metrics or traces. Staff identities (member ids and names) are internal: never show them to a patient; a reply is shown to the patient under its \`senderDisplayName\` (the group's name) only.

## Versioning
A published \`.v1\` type never breaks: it only ever gains optional fields, and its schemas accept unknown properties, so consumers must ignore fields they do not know. A breaking change (removing, renaming or retyping a field, tightening a rule, a new value of a closed enum) is a new type \`.v2\`, published alongside the \`.v1\` until every consumer has moved; meanwhile a consumer that does not know the \`.v2\` skips it (never dead-letters it). Enums are open (a string whose known values are listed in \`examples\`: take a value you do not know) or closed (\`enum\`: a new value is a new version). Schemas hold no product limits (text lengths, list sizes): only the format of a value. The schemas as published are in \`libs/contracts/published\`; the rules are in \`docs/event-compatibility.md\`.

## Dead letters
A record a consumer cannot process goes, unchanged, to the dead-letter topic of its consumer group, with the reason in extra headers; the consumer goes on.

This document is generated from \`libs/contracts\` (TOPICS and EVENT_CATALOGUE). Do not edit asyncapi.yaml by hand; regenerate it with: \`${REGENERATE_COMMAND}\``;

const REQUIRED_HEADERS = [
  CE_HEADERS.id,
  CE_HEADERS.type,
  CE_HEADERS.source,
  CE_HEADERS.time,
  CE_HEADERS.specversion,
  CE_HEADERS.practiceId,
  CE_HEADERS.correlationId,
];

const messageId = (definition: EventDefinition<unknown>): string =>
  `${definition.name}V${definition.version}`;

function topicEntries(): Array<[string, TopicDefinition]> {
  return Object.entries(TOPICS) as Array<[string, TopicDefinition]>;
}

function headersSchema(definition: EventDefinition<unknown>): JsonSchema {
  const str = (description: string, extra: JsonSchema = {}): JsonSchema => ({
    type: 'string',
    minLength: 1,
    description,
    ...extra,
  });
  return {
    type: 'object',
    required: REQUIRED_HEADERS,
    properties: {
      [CE_HEADERS.id]: str('Unique event id; consumers dedupe on it (delivery is at-least-once).'),
      [CE_HEADERS.type]: str('The event type.', { const: definition.type }),
      [CE_HEADERS.source]: str('The producing service, e.g. `/services/group-config`.'),
      [CE_HEADERS.time]: str('RFC 3339 time the fact happened.', { format: 'date-time' }),
      [CE_HEADERS.specversion]: str('CloudEvents spec version.', {
        const: CLOUDEVENTS_SPEC_VERSION,
      }),
      [CE_HEADERS.subject]: str(
        `The aggregate id (data field \`${definition.keyField}\`); equals the Kafka key. Always set by our producers.`,
      ),
      [CE_HEADERS.dataschema]: str('Names the payload schema. Always set by our producers.', {
        const: dataSchemaUri(definition.type),
      }),
      [CE_HEADERS.practiceId]: str(
        'CloudEvents extension: the practice the event belongs to; equals the data `practiceId`.',
      ),
      [CE_HEADERS.correlationId]: str(
        'CloudEvents extension: shared by every event of one user action or flow.',
      ),
      [CE_HEADERS.causationId]: str(
        'CloudEvents extension, optional: the `ce_id` of the event that caused this one.',
      ),
      [CE_HEADERS.writeId]: str(
        'CloudEvents extension, optional: the HTTP write that produced this event (22 base64url characters), which a `Consistency-Token` stands for.',
        { pattern: '^[A-Za-z0-9_-]{22}$' },
      ),
      [CE_HEADERS.traceparent]: str(
        'CloudEvents distributed-tracing extension, optional: the W3C `traceparent` of the span that published the event. A malformed value is ignored.',
        { pattern: '^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$' },
      ),
      [CE_HEADERS.tracestate]: str(
        'CloudEvents distributed-tracing extension, optional: the W3C `tracestate` that goes with `ce_traceparent`.',
        { maxLength: 512 },
      ),
      [CE_HEADERS.contentType]: str('Content type of the value. Always set by our producers.', {
        const: 'application/json',
      }),
    },
  };
}

function containsPhi(definition: EventDefinition<unknown>): boolean {
  const properties = (definition.schema.properties ?? {}) as Record<string, unknown>;
  return PHI_FIELDS.some((field) => field in properties);
}

function message(definition: EventDefinition<unknown>): Record<string, unknown> {
  return {
    name: messageId(definition),
    title: `${definition.name} v${definition.version} (${definition.type})`,
    summary: definition.description,
    contentType: 'application/json',
    ...(containsPhi(definition)
      ? {
          tags: [
            {
              name: 'phi',
              description: `Fields ${PHI_FIELDS.filter((field) => field in ((definition.schema.properties ?? {}) as object)).join(', ')} are PHI: never log them.`,
            },
          ],
        }
      : {}),
    headers: headersSchema(definition),
    payload: definition.schema,
    bindings: {
      kafka: {
        key: { type: 'string', description: definition.keyField },
        bindingVersion: KAFKA_BINDING_VERSION,
      },
    },
  };
}

const DEAD_LETTER_HEADERS: Record<string, string> = {
  'x-dead-letter-reason':
    'Why the record could not be processed (e.g. the ContractViolation message).',
  'x-dead-letter-source-topic': 'Topic the record was consumed from.',
  'x-dead-letter-source-partition': 'Partition the record was consumed from (decimal).',
  'x-dead-letter-source-offset': 'Offset of the record in that partition (decimal).',
  'x-dead-letter-consumer-group': 'Consumer group that gave up on the record.',
  'x-dead-letter-at': 'RFC 3339 time the record was dead-lettered.',
};

const deadLetterMessage = {
  name: 'DeadLetter',
  title: 'Dead letter',
  summary:
    'A record a consumer group could not process: the original key, value and headers (ce_* included), unchanged, plus x-dead-letter-* headers.',
  description:
    'The value is the original value byte for byte (it may not be valid JSON, or not a known event: that can be why it is here). It may contain PHI: never log it.',
  contentType: 'application/octet-stream',
  headers: {
    type: 'object',
    required: Object.keys(DEAD_LETTER_HEADERS),
    properties: Object.fromEntries(
      Object.entries(DEAD_LETTER_HEADERS).map(([name, description]) => [
        name,
        { type: 'string', description },
      ]),
    ),
    additionalProperties: {
      type: 'string',
      description: 'The original headers of the record (ce_*, content-type), unchanged.',
    },
  },
  payload: {},
  bindings: {
    kafka: {
      key: { type: 'string', description: 'The original record key, unchanged.' },
      bindingVersion: KAFKA_BINDING_VERSION,
    },
  },
};

const capitalize = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1);

export function buildAsyncApiDocument(): Record<string, unknown> {
  const topics = topicEntries();
  const channelIdOf = new Map(topics.map(([channelId, topic]) => [topic.name, channelId]));
  const channels: Record<string, Record<string, unknown>> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};

  for (const definition of EVENT_CATALOGUE) {
    if (!channelIdOf.has(definition.topic.name)) {
      throw new Error(
        `${definition.type} is published on ${definition.topic.name}, which is not in TOPICS`,
      );
    }
    const id = messageId(definition);
    if (id in messages) throw new Error(`two event definitions are named ${id}`);
    messages[id] = message(definition);
  }

  for (const [channelId, topic] of topics) {
    const definitions = EVENT_CATALOGUE.filter(
      (definition) => definition.topic.name === topic.name,
    );
    const ids = definitions.map(messageId);
    channels[channelId] = {
      address: topic.name,
      title: topic.name,
      description: [
        topic.description,
        `Key: \`${topic.key}\`.`,
        topic.compacted
          ? 'Compacted (cleanup.policy compact): the latest record per key is kept forever; read from the beginning to rebuild state.'
          : 'Not compacted (cleanup.policy delete): every fact is kept for the retention period.',
        topic.phi
          ? 'PHI: its records may carry protected health information; only services and teams cleared for PHI may read it.'
          : 'PHI-free: ids, known words, numbers and times only, with a pseudonymous patient key; open to analytics teams.',
      ].join(' '),
      tags: [{ name: topic.phi ? 'phi' : 'phi-free' }],
      'x-phi': topic.phi,
      messages: Object.fromEntries(ids.map((id) => [id, { $ref: `#/components/messages/${id}` }])),
      bindings: {
        kafka: {
          topic: topic.name,
          partitions: topic.partitions,
          topicConfiguration: {
            'cleanup.policy': [topic.compacted ? 'compact' : 'delete'],
            ...(topic.retentionMs !== undefined ? { 'retention.ms': topic.retentionMs } : {}),
          },
          bindingVersion: KAFKA_BINDING_VERSION,
        },
      },
    };
    operations[`receive${capitalize(channelId)}`] = {
      action: 'receive',
      channel: { $ref: `#/channels/${channelId}` },
      title: `Consume ${topic.name}`,
      summary: topic.description,
      messages: ids.map((id) => ({ $ref: `#/channels/${channelId}/messages/${id}` })),
    };
  }

  channels.deadLetter = {
    address: deadLetterTopic('{consumerGroup}'),
    title: 'Dead letters of one consumer group',
    description:
      'Records a consumer group could not process (unknown type, schema violation, repeated failure...), one topic per consumer group. Each keeps the original key, value and headers and adds x-dead-letter-* headers with the reason and origin. Not compacted (cleanup.policy delete).',
    parameters: {
      consumerGroup: {
        description: 'Kafka consumer group id of the consuming service, e.g. `inbox-projection`.',
      },
    },
    messages: { DeadLetter: { $ref: '#/components/messages/DeadLetter' } },
    bindings: {
      kafka: {
        topicConfiguration: { 'cleanup.policy': ['delete'] },
        bindingVersion: KAFKA_BINDING_VERSION,
      },
    },
  };
  operations.receiveDeadLetter = {
    action: 'receive',
    channel: { $ref: '#/channels/deadLetter' },
    title: 'Inspect or replay dead letters',
    summary: 'Dead letters of one consumer group, for inspection and replay.',
    messages: [{ $ref: '#/channels/deadLetter/messages/DeadLetter' }],
  };
  messages.DeadLetter = deadLetterMessage;

  const document = {
    asyncapi: '3.0.0',
    info: {
      title: 'Group Messages events',
      version: '1.0.0',
      description: DESCRIPTION,
    },
    defaultContentType: 'application/json',
    servers: {
      local: {
        host: '127.0.0.1:9092',
        protocol: 'kafka',
        description: 'Local development Kafka broker.',
      },
    },
    channels,
    operations,
    components: { messages },
  };
  // A plain JSON tree: no shared references (the schemas share building blocks,
  // which YAML would otherwise render as anchors and aliases), no undefined.
  return JSON.parse(JSON.stringify(document)) as Record<string, unknown>;
}
