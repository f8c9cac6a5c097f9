/**
 * The committed `libs/contracts/asyncapi.yaml` is the generated document, byte
 * for byte. To regenerate it after changing TOPICS or EVENT_CATALOGUE:
 *   UPDATE_ASYNCAPI=1 NODE_OPTIONS=--experimental-vm-modules npx jest --selectProjects unit libs/contracts/src/asyncapi.spec.ts
 *
 * No AsyncAPI parser is installed, so the shape of the document is checked
 * structurally below (the parts of the AsyncAPI 3.0 spec that we use).
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse, stringify } from 'yaml';
import { buildAsyncApiDocument } from './asyncapi.js';
import { EVENT_CATALOGUE } from './catalogue.js';
import { TOPICS } from './topics.js';

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

// Test code walks an untyped document.
type Obj = Record<string, any>;

const yamlPath = fileURLToPath(new URL('../asyncapi.yaml', import.meta.url));
const fixturesDir = fileURLToPath(new URL('../fixtures/', import.meta.url));
const doc = buildAsyncApiDocument() as Obj;
const ajv = addFormats(new Ajv({ strict: true, allowUnionTypes: true, allErrors: true }));

/** Resolves a local `#/a/b/c` reference inside the document. */
function resolve(ref: string): Obj {
  expect(ref.startsWith('#/')).toBe(true);
  const target = ref
    .slice(2)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<Obj | undefined>((node, part) => node?.[part], doc);
  if (target === undefined) throw new Error(`unresolvable $ref ${ref}`);
  return target;
}
const deref = (node: Obj): Obj => (typeof node.$ref === 'string' ? resolve(node.$ref) : node);

function allRefs(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((item) => allRefs(item, found));
  else if (node && typeof node === 'object') {
    for (const [name, value] of Object.entries(node)) {
      if (name === '$ref' && typeof value === 'string') found.push(value);
      else allRefs(value, found);
    }
  }
  return found;
}

const ID = /^[A-Za-z0-9.\-_]+$/;
const eventMessages = Object.entries(doc.components.messages as Obj).filter(
  ([id]) => id !== 'DeadLetter',
);

describe('asyncapi.yaml', () => {
  it('is the generated document (regenerate with UPDATE_ASYNCAPI=1)', () => {
    const generated = stringify(buildAsyncApiDocument());
    if (process.env.UPDATE_ASYNCAPI === '1') {
      writeFileSync(yamlPath, generated);
      return;
    }
    expect(readFileSync(yamlPath, 'utf8')).toBe(generated);
  });

  it('parses back to the same document, without YAML anchors or aliases', () => {
    const text = stringify(buildAsyncApiDocument());
    expect(text).not.toMatch(/[&*]a\d+\b/);
    expect(parse(text)).toEqual(doc);
  });

  it('is generated deterministically', () => {
    expect(buildAsyncApiDocument()).toEqual(doc);
  });
});

describe('AsyncAPI 3.0 document structure', () => {
  it('has the root fields', () => {
    expect(doc.asyncapi).toBe('3.0.0');
    expect(doc.info).toMatchObject({ title: 'Group Messages events', version: '1.0.0' });
    expect(Object.keys(doc)).toEqual(
      expect.arrayContaining([
        'asyncapi',
        'info',
        'servers',
        'channels',
        'operations',
        'components',
      ]),
    );
    const allowed = [
      'asyncapi',
      'id',
      'info',
      'servers',
      'defaultContentType',
      'channels',
      'operations',
      'components',
    ];
    for (const key of Object.keys(doc)) expect(allowed).toContain(key);
  });

  it.each([
    'CloudEvents 1.0',
    'binary content mode',
    'ce_practiceid',
    'ce_correlationid',
    'ce_causationid',
    'at-least-once',
    'dedupe on `ce_id`',
    'compacted',
    'PHI',
    'never show them to a patient',
    '.v2',
    'skips it (never dead-letters it)',
    'Enums are open',
    'no product limits',
    'libs/contracts/published',
    'UPDATE_ASYNCAPI=1',
  ])('explains %p in info.description', (phrase) => {
    expect(doc.info.description).toContain(phrase);
  });

  it('declares the local Kafka server', () => {
    expect(doc.servers.local).toMatchObject({ host: '127.0.0.1:9092', protocol: 'kafka' });
    for (const server of Object.values(doc.servers as Obj)) {
      expect(server.host).not.toMatch(/^\w+:\/\//); // AsyncAPI 3: host without scheme
    }
  });

  it('uses valid component and channel ids, and every $ref resolves', () => {
    for (const section of [doc.channels, doc.operations, doc.components.messages]) {
      for (const id of Object.keys(section)) expect(id).toMatch(ID);
    }
    const refs = allRefs(doc);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(() => resolve(ref)).not.toThrow();
  });

  it('has one channel per topic, addressed by the topic name, with Kafka bindings', () => {
    for (const [channelId, topic] of Object.entries(TOPICS)) {
      const channel = doc.channels[channelId];
      expect(channel.address).toBe(topic.name);
      expect(channel.description).toContain(topic.key);
      expect(channel.bindings.kafka).toMatchObject({
        partitions: topic.partitions,
        topicConfiguration: { 'cleanup.policy': [topic.compacted ? 'compact' : 'delete'] },
      });
      expect(Object.keys(channel.messages).length).toBeGreaterThan(0);
    }
    const addresses = Object.values(doc.channels as Obj).map((channel) => channel.address);
    expect(new Set(addresses).size).toBe(addresses.length);
  });

  it('declares every parameter of a channel address', () => {
    for (const channel of Object.values(doc.channels as Obj)) {
      const inAddress = [...String(channel.address).matchAll(/\{([^}]+)\}/g)]
        .map((m) => m[1])
        .sort();
      expect(Object.keys(channel.parameters ?? {}).sort()).toEqual(inAddress);
    }
  });

  it('has one receive operation per channel, listing messages of that channel only', () => {
    const operations = Object.values(doc.operations as Obj);
    expect(operations).toHaveLength(Object.keys(doc.channels).length);
    const covered = new Set<string>();
    for (const operation of operations) {
      expect(operation.action).toBe('receive');
      const channelRef: string = operation.channel.$ref;
      expect(channelRef).toMatch(/^#\/channels\/[^/]+$/);
      covered.add(channelRef);
      const channelMessages = Object.keys(resolve(channelRef).messages).sort();
      const listed = (operation.messages as Obj[]).map((ref) => {
        expect(ref.$ref.startsWith(`${channelRef}/messages/`)).toBe(true);
        return ref.$ref.slice(`${channelRef}/messages/`.length);
      });
      expect(listed.sort()).toEqual(channelMessages);
    }
    expect(covered.size).toBe(Object.keys(doc.channels).length);
  });

  it('has messages with the required shape', () => {
    for (const [, message] of Object.entries(doc.components.messages as Obj)) {
      expect(typeof message.name).toBe('string');
      expect(typeof message.title).toBe('string');
      expect(typeof message.summary).toBe('string');
      expect(typeof message.contentType).toBe('string');
      expect(message.headers.type).toBe('object'); // AsyncAPI: headers MUST be of type object
      expect(message).toHaveProperty('payload');
      expect(message.bindings.kafka.key.type).toBe('string');
    }
  });

  it('has valid JSON Schemas for every message headers and payload', () => {
    for (const message of Object.values(doc.components.messages as Obj)) {
      expect(() => ajv.compile(message.headers)).not.toThrow();
      expect(() => ajv.compile(message.payload)).not.toThrow();
    }
  });
});

describe('event messages', () => {
  it('has exactly one message per catalogue type', () => {
    const types = eventMessages
      .map(([, message]) => message.headers.properties.ce_type.const)
      .sort();
    expect(types).toEqual(EVENT_CATALOGUE.map((definition) => definition.type).sort());
  });

  describe.each(EVENT_CATALOGUE.map((definition) => [definition.type, definition] as const))(
    '%s',
    (type, definition) => {
      const found = eventMessages.filter(([, m]) => m.headers.properties.ce_type.const === type);
      const message = found[0]?.[1] as Obj;

      it('is described from its definition', () => {
        expect(found).toHaveLength(1);
        expect(message).toMatchObject({
          summary: definition.description,
          contentType: 'application/json',
          bindings: { kafka: { key: { type: 'string', description: definition.keyField } } },
        });
        expect(message.title).toContain(type);
        expect(message.headers.properties.ce_dataschema.const).toBe(
          `urn:group-messages:schema:${type}`,
        );
      });

      it('has the catalogue schema as payload', () => {
        expect(message.payload).toEqual(definition.schema);
      });

      it('is on the channel of its topic', () => {
        const channel = Object.values(doc.channels as Obj).find(
          (c) => c.address === definition.topic.name,
        );
        expect(Object.values(channel.messages as Obj).map((ref) => deref(ref))).toContainEqual(
          message,
        );
      });

      it('describes its golden fixture: headers, key and payload validate', () => {
        const fixture = JSON.parse(readFileSync(`${fixturesDir}${type}.json`, 'utf8')) as Obj;
        const headers = ajv.compile(message.headers);
        expect(headers(fixture.headers) ? [] : headers.errors).toEqual([]);
        const payload = ajv.compile(message.payload);
        expect(payload(fixture.data) ? [] : payload.errors).toEqual([]);
        expect(fixture.key).toBe(fixture.data[message.bindings.kafka.key.description]);
      });

      it('rejects headers of another type', () => {
        const fixture = JSON.parse(readFileSync(`${fixturesDir}${type}.json`, 'utf8')) as Obj;
        expect(ajv.validate(message.headers, { ...fixture.headers, ce_type: 'gm.other.v1' })).toBe(
          false,
        );
      });

      it('is tagged phi exactly when it carries a subject or body', () => {
        const properties = Object.keys(definition.schema.properties as Obj);
        const phi = properties.includes('body') || properties.includes('subject');
        expect((message.tags ?? []).some((tag: Obj) => tag.name === 'phi')).toBe(phi);
      });
    },
  );

  it('covers every fixture file', () => {
    const fixtureTypes = readdirSync(fixturesDir).map((name) => name.replace(/\.json$/, ''));
    const documented = eventMessages.map(([, m]) => m.headers.properties.ce_type.const);
    expect(documented.sort()).toEqual(fixtureTypes.sort());
  });
});

describe('dead-letter channel', () => {
  const channel = doc.channels.deadLetter as Obj;

  it('is parameterised by consumer group', () => {
    expect(channel.address).toBe('gm.dead-letter.{consumerGroup}');
    expect(channel.parameters.consumerGroup.description).toEqual(expect.any(String));
  });

  it('documents the x-dead-letter-* headers and keeps the original record', () => {
    const message = deref(channel.messages.DeadLetter);
    expect(Object.keys(message.headers.properties).sort()).toEqual(
      [
        'x-dead-letter-reason',
        'x-dead-letter-source-topic',
        'x-dead-letter-source-partition',
        'x-dead-letter-source-offset',
        'x-dead-letter-consumer-group',
        'x-dead-letter-at',
      ].sort(),
    );
    expect(message.payload).toEqual({});
    expect(message.summary).toMatch(/original key, value and headers/);
  });
});
