import { buildAsyncApiDocument } from '../asyncapi.js';
import { EVENT_CATALOGUE } from '../catalogue.js';
import type { JsonSchema } from '../event-definition.js';
import { ALL_TOPICS } from '../topics.js';

type Schema = JsonSchema & {
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
};

/**
 * Every string a schema allows, with the path to it, and whether it is
 * bounded to something other than free text: a format, a pattern or a
 * closed set; or an id (a field named `…Id`, or an item of `…Ids`), which
 * the system issues and never writes words into.
 */
function strings(schema: Schema, path: string): { path: string; bounded: boolean }[] {
  if (schema.anyOf) return schema.anyOf.flatMap((part) => strings(part, path));
  if (schema.properties) {
    return Object.entries(schema.properties).flatMap(([name, part]) =>
      strings(part, `${path}.${name}`),
    );
  }
  if (schema.items) return strings(schema.items, `${path}[]`);
  const types = [schema.type].flat();
  if (!types.includes('string')) return [];
  const isId = /Id$|Ids\[\]$/.test(path);
  const bounded = isId || 'format' in schema || 'pattern' in schema || 'enum' in schema;
  return [{ path, bounded }];
}

const phiFree = ALL_TOPICS.filter((topic) => !topic.phi);
const analytics = EVENT_CATALOGUE.filter((definition) => !definition.topic.phi);

describe('the PHI-free analytics stream', () => {
  it('has its own topics, and only analytics events are published on them', () => {
    expect(phiFree.map((topic) => topic.name)).toEqual(['gm.analytics.threads']);
    expect(analytics.map((definition) => definition.type)).toEqual(['gm.analytics.thread-fact.v1']);
  });

  it.each(analytics.map((definition) => [definition.type, definition] as const))(
    '%s allows no free text: every string is an id, a time, a pattern or a known word',
    (_type, definition) => {
      const found = strings(definition.schema as Schema, '');
      expect(found.length).toBeGreaterThan(5);
      expect(found.filter((leaf) => !leaf.bounded).map((leaf) => leaf.path)).toEqual([]);
    },
  );

  it('is told apart in the AsyncAPI document: PHI-free topics say so, every other topic is marked PHI', () => {
    const document = buildAsyncApiDocument() as {
      channels: Record<string, { address?: string; 'x-phi'?: boolean; tags?: { name: string }[] }>;
    };
    const topics = Object.values(document.channels).filter((channel) =>
      ALL_TOPICS.some((topic) => topic.name === channel.address),
    );
    expect(topics).toHaveLength(ALL_TOPICS.length);
    for (const channel of topics) {
      const phi = channel.address !== 'gm.analytics.threads';
      expect(channel['x-phi']).toBe(phi);
      expect(channel.tags).toEqual([{ name: phi ? 'phi' : 'phi-free' }]);
    }
  });
});
