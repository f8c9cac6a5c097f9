import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../event-definition.js';
import { described, extend, id, idList, object } from '../schema-parts.js';
import { TOPICS } from '../topics.js';

const topicPosition = object(
  {
    topic: id,
    partition: Type.Integer({ minimum: 0 }),
    offset: Type.Integer({ minimum: 0 }),
  },
  [],
  { description: 'Where a topic partition stood: the offset its next record will take.' },
);

export const ReactionsPublishedV1 = defineEvent({
  name: 'ReactionsPublished',
  type: 'gm.consistency.reactions-published.v1',
  version: 1,
  topic: TOPICS.consistency,
  keyField: 'practiceId',
  description:
    "A service that reacts to other services' events applied some events of one HTTP write and published all it wrote in reaction to them: read-your-writes across services (ADR 0018). Ids and offsets only.",
  schema: object(
    {
      practiceId: id,
      writeId: Type.String({ pattern: '^[A-Za-z0-9_-]{22}$' }),
      topic: described(id, 'The topic the applied events came from.'),
      eventIds: described(extend(idList, { minItems: 1 }), "The applied events' `ce_id`s."),
      positions: Type.Array(topicPosition),
    },
    [],
    {
      description:
        'A reacting service (REACTORS) applied these events of one HTTP write, and everything it wrote in reaction to them is published: on each of its topics, before `positions`. A reader of those topics that has applied them up to `positions` has applied the reactions (ADR 0018).',
    },
  ),
});
export type ReactionsPublishedV1 = EventData<typeof ReactionsPublishedV1>;
/** Where a topic partition stood: the offset its next record will take. */
export type TopicPosition = ReactionsPublishedV1['positions'][number];
