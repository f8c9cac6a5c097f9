/**
 * The event schemas are TypeBox builders whose types are derived (ADR 0023):
 * what they put on the wire is still plain JSON Schema that a strict ajv
 * compiles, with no TypeBox symbol or keyword left in it.
 */
import { Type } from '@sinclair/typebox';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { EVENT_CATALOGUE } from './catalogue.js';
import { defineEvent, type EventData } from './event-definition.js';
import type { AccessAuditAction, KnownAccessAuditAction } from './events/access-audit.events.js';
import type { AssignmentHow, RoutingKind, UnassignReasonV2 } from './events/thread.events.js';
import {
  id,
  MAX_CODE_LENGTH,
  nullable,
  nullableId,
  object,
  oneOf,
  openEnum,
  type KnownValue,
  type OpenEnum,
} from './schema-parts.js';
import { TOPICS } from './topics.js';

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

const strictAjv = () =>
  addFormats(new Ajv({ strict: true, allowUnionTypes: true, allErrors: true }));

/** JSON Schema draft-07 keywords the contracts may use (everything else is a TypeBox leftover or a typo). */
const KEYWORDS = new Set([
  'type',
  'properties',
  'required',
  'items',
  'anyOf',
  'enum',
  'const',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'minimum',
  'maximum',
  'minItems',
  'maxItems',
  'uniqueItems',
  'description',
  'examples',
]);

/** Every keyword of a schema tree (property names under `properties` are not keywords). */
function keywords(schema: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) {
    for (const item of schema) keywords(item, found);
  } else if (schema && typeof schema === 'object') {
    for (const [name, value] of Object.entries(schema)) {
      found.add(name);
      if (name === 'properties') {
        for (const child of Object.values(value as object)) keywords(child, found);
      } else if (name === 'items' || name === 'anyOf') keywords(value, found);
    }
  }
  return found;
}

function symbolsIn(node: unknown): symbol[] {
  if (!node || typeof node !== 'object') return [];
  return [
    ...Object.getOwnPropertySymbols(node),
    ...Object.values(node).flatMap((child) => symbolsIn(child)),
  ];
}

describe.each(EVENT_CATALOGUE.map((definition) => [definition.type, definition] as const))(
  'the schema of %s',
  (_type, definition) => {
    it('compiles with a strict ajv of its own', () => {
      expect(() => strictAjv().compile(definition.schema)).not.toThrow();
    });

    it('is plain JSON: no TypeBox symbols, the same after a JSON round trip', () => {
      expect(symbolsIn(definition.schema)).toEqual([]);
      expect(JSON.parse(JSON.stringify(definition.schema))).toStrictEqual(definition.schema);
    });

    it('uses JSON Schema keywords only', () => {
      const unknown = [...keywords(definition.schema)].filter((name) => !KEYWORDS.has(name));
      expect(unknown).toEqual([]);
    });

    it('is an object schema that accepts unknown properties', () => {
      expect(definition.schema.type).toBe('object');
      expect(keywords(definition.schema).has('additionalProperties')).toBe(false);
    });
  },
);

describe('openEnum', () => {
  const how = openEnum('manual', 'automatic');
  const validate = strictAjv().compile(JSON.parse(JSON.stringify(how)));

  it('is a non-empty bounded string on the wire, its known values listed for readers', () => {
    expect(JSON.parse(JSON.stringify(how))).toEqual({
      type: 'string',
      minLength: 1,
      maxLength: MAX_CODE_LENGTH,
      description: expect.stringContaining('Open enum: known values `manual`, `automatic`'),
      examples: ['manual', 'automatic'],
    });
  });

  it('accepts its known values and any other code, refuses an empty or unbounded one', () => {
    expect(['manual', 'automatic', 'delegated'].map((value) => validate(value))).toEqual([
      true,
      true,
      true,
    ]);
    expect(validate('')).toBe(false);
    expect(validate('x'.repeat(MAX_CODE_LENGTH + 1))).toBe(false);
    expect(validate(3)).toBe(false);
  });

  it('refuses a known value that is not a code', () => {
    expect(() => openEnum('x'.repeat(MAX_CODE_LENGTH + 1))).toThrow('is not a code');
  });

  it("is typed as its known values or any string, so a consumer's switch needs a default", () => {
    const known: AssignmentHow = 'cover';
    const unknown: AssignmentHow = 'delegated';
    const reason: UnassignReasonV2 = 'a-reason-of-next-year';
    const action: AccessAuditAction = 'thread.printed';
    // @ts-expect-error a producer writing only known actions gets the closed type
    const typo: KnownAccessAuditAction = 'thread.raed';
    const typed: OpenEnum<'a' | 'b'> = 'c';
    const knownOnly: KnownValue<OpenEnum<'a' | 'b'>>[] = ['a', 'b'];
    expect([known, unknown, reason, action, typo, typed, knownOnly]).toHaveLength(7);
  });
});

describe('oneOf (a closed enum)', () => {
  it('is an enum on the wire and its type is exactly its values', () => {
    const validate = strictAjv().compile(JSON.parse(JSON.stringify(oneOf('a', 'b'))));
    expect([validate('a'), validate('b'), validate('c')]).toEqual([true, true, false]);
    // @ts-expect-error a closed enum takes no other value
    const other: RoutingKind = 'broadcast';
    expect(other).toBe('broadcast');
  });
});

describe('object, nullable', () => {
  it('requires every property but the optional ones, and types them optional', () => {
    const schema = object({ a: id, b: nullableId, c: id }, ['c']);
    expect(schema.required).toEqual(['a', 'b']);
    const definition = defineEvent({
      name: 'Example',
      type: 'gm.example.v1',
      version: 1,
      topic: TOPICS.threads,
      keyField: 'a',
      description: 'An example.',
      schema,
    });
    const data: EventData<typeof definition> = { a: 'x', b: null };
    expect(data.c).toBeUndefined();
    expect(definition.schema.required).toEqual(['a', 'b']);
  });

  it('refuses an optional name that is not a property', () => {
    expect(() => object({ a: id }, ['b' as 'a'])).toThrow('is not a property');
  });

  it('makes a schema nullable as one type list, as JSON Schema draft-07 writes it', () => {
    expect(JSON.parse(JSON.stringify(nullable(Type.Integer({ minimum: 1 }))))).toEqual({
      type: ['integer', 'null'],
      minimum: 1,
    });
    expect(() => nullable(nullableId)).toThrow('one type');
  });
});

describe('defineEvent', () => {
  it('refuses a type whose suffix is not its version', () => {
    expect(() =>
      defineEvent({
        name: 'Example',
        type: 'gm.example.v1',
        version: 2,
        topic: TOPICS.threads,
        keyField: 'a',
        description: 'An example.',
        schema: object({ a: id }),
      }),
    ).toThrow('must end with .v2');
  });
});
