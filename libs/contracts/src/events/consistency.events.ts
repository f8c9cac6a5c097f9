import { defineEvent } from '../event-definition.js';
import { id, idList, object } from '../schema-parts.js';
import { TOPICS } from '../topics.js';

/** Where a topic partition stood: the offset its next record will take. */
export interface TopicPosition {
  topic: string;
  partition: number;
  offset: number;
}

/**
 * A reacting service (REACTORS) applied these events of one HTTP write, and
 * everything it wrote in reaction to them is published: on each of its
 * topics, before `positions`. A reader of those topics that has applied
 * them up to `positions` has applied the reactions (ADR 0018).
 */
export interface ReactionsPublishedV1 {
  practiceId: string;
  writeId: string;
  /** The topic the applied events came from. */
  topic: string;
  /** The applied events' `ce_id`s. */
  eventIds: string[];
  positions: TopicPosition[];
}

export const ReactionsPublishedV1 = defineEvent<ReactionsPublishedV1>({
  name: 'ReactionsPublished',
  type: 'gm.consistency.reactions-published.v1',
  version: 1,
  topic: TOPICS.consistency,
  keyField: 'practiceId',
  description:
    "A service that reacts to other services' events applied some events of one HTTP write and published all it wrote in reaction to them: read-your-writes across services (ADR 0018). Ids and offsets only.",
  schema: object({
    practiceId: id,
    writeId: { type: 'string', pattern: '^[A-Za-z0-9_-]{22}$' },
    topic: id,
    eventIds: { ...idList, minItems: 1 },
    positions: {
      type: 'array',
      items: object({
        topic: id,
        partition: { type: 'integer', minimum: 0 },
        offset: { type: 'integer', minimum: 0 },
      }),
    },
  }),
});
