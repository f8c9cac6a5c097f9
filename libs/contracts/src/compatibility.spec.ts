/**
 * The compatibility contract (docs/event-compatibility.md, ADR 0023).
 *
 * `libs/contracts/published/<type>.schema.json` is the schema of each type as
 * it was promised to consumers (analytics teams build on these files). It only
 * ever grows: new types are added and existing entries may only be LOOSENED,
 * never tightened, never removed. Add a new type (or publish a loosening) with:
 *   UPDATE_PUBLISHED=1 NODE_OPTIONS=--experimental-vm-modules npx jest --selectProjects unit libs/contracts/src/compatibility.spec.ts
 * which refuses to write an entry stricter than the one published.
 *
 * The tests below prove, for every type:
 * - a published version never disappears from the catalogue;
 * - the current schema is no stricter than the published one (our own
 *   consumers decode with the current schema: records written under the
 *   published one must still pass);
 * - a consumer built on the published schema accepts what the current
 *   producer writes (the golden fixture), also with unknown fields added
 *   everywhere and every open-enum value replaced by one it does not know;
 * - a consumer that knows only the `.v1` types, on their published schemas,
 *   accepts or skips every current type and version, and dead-letters none.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { EVENT_CATALOGUE } from './catalogue.js';
import {
  buildEnvelope,
  ContractViolation,
  toWireRecord,
  UnknownEventVersion,
  wireDecoder,
} from './codec.js';
import type { EventMetadata } from './envelope.js';
import type { EventDefinition, JsonSchema } from './event-definition.js';
import { schemaViolations } from './validation.js';

type Json = Record<string, unknown>;
interface Fixture {
  key: string;
  headers: Record<string, string>;
  data: Json;
}

const publishedDir = fileURLToPath(new URL('../published/', import.meta.url));
const fixturesDir = fileURLToPath(new URL('../fixtures/', import.meta.url));
const SUFFIX = '.schema.json';
const UPDATE = process.env.UPDATE_PUBLISHED === '1';

const fileOf = (type: string) => `${publishedDir}${type}${SUFFIX}`;
const fixtureOf = (type: string): Fixture =>
  JSON.parse(readFileSync(`${fixturesDir}${type}.json`, 'utf8')) as Fixture;

function publishedTypes(): string[] {
  if (!existsSync(publishedDir)) return [];
  return readdirSync(publishedDir)
    .filter((name) => name.endsWith(SUFFIX))
    .map((name) => name.slice(0, -SUFFIX.length))
    .sort();
}

function published(type: string): JsonSchema | undefined {
  return existsSync(fileOf(type))
    ? (JSON.parse(readFileSync(fileOf(type), 'utf8')) as JsonSchema)
    : undefined;
}

/** The definition with the published schema: what a consumer built on the published file checks. */
function asPublished(definition: EventDefinition<unknown>): EventDefinition<unknown> {
  const schema = published(definition.type);
  if (!schema) throw new Error(`${definition.type} is not published`);
  return { ...definition, schema };
}

// ---------------------------------------------------------------------------
// What makes a schema stricter than another (a structural check: it knows
// the keywords the contracts use, see schema-parts.spec.ts).
// ---------------------------------------------------------------------------

const typesOf = (schema: Json): string[] | undefined =>
  schema.type === undefined
    ? undefined
    : Array.isArray(schema.type)
      ? (schema.type as string[])
      : [schema.type as string];
const asObject = (value: unknown): Json =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * How `current` is stricter than `before` (empty when it accepts at least
 * everything `before` accepts, as far as these keywords tell).
 */
function tighteningsOf(before: Json, current: Json, path = '(root)'): string[] {
  const found: string[] = [];
  const report = (what: string) => found.push(`${path}: ${what}`);
  const beforeTypes = typesOf(before);
  const currentTypes = typesOf(current);
  if (currentTypes) {
    const accepted = (type: string) =>
      currentTypes.includes(type) || (type === 'integer' && currentTypes.includes('number'));
    if (!beforeTypes) report(`type ${currentTypes.join('|')} added`);
    else for (const type of beforeTypes) if (!accepted(type)) report(`type ${type} removed`);
  }
  for (const keyword of ['minLength', 'minimum', 'minItems'] as const) {
    const now = current[keyword] as number | undefined;
    const then = before[keyword] as number | undefined;
    if (now !== undefined && (then === undefined || now > then)) report(`${keyword} ${now}`);
  }
  for (const keyword of ['maxLength', 'maximum', 'maxItems'] as const) {
    const now = current[keyword] as number | undefined;
    const then = before[keyword] as number | undefined;
    if (now !== undefined && (then === undefined || now < then)) report(`${keyword} ${now}`);
  }
  for (const keyword of ['pattern', 'format', 'const'] as const) {
    if (current[keyword] !== undefined && !same(current[keyword], before[keyword])) {
      report(`${keyword} ${JSON.stringify(current[keyword])}`);
    }
  }
  if (Array.isArray(current.enum)) {
    const then = before.enum as unknown[] | undefined;
    const missing = then?.filter((value) => !(current.enum as unknown[]).includes(value));
    if (!then) report('enum added (an open value closed)');
    else if (missing?.length) report(`enum lost ${JSON.stringify(missing)}`);
  }
  if (current.uniqueItems === true && before.uniqueItems !== true) report('uniqueItems added');
  if (current.additionalProperties === false && before.additionalProperties !== false) {
    report('additionalProperties false');
  }
  const required = (before.required as string[] | undefined) ?? [];
  for (const name of (current.required as string[] | undefined) ?? []) {
    if (!required.includes(name)) report(`${name} made required`);
  }
  const beforeProperties = asObject(before.properties);
  for (const [name, schema] of Object.entries(asObject(current.properties))) {
    if (name in beforeProperties) {
      found.push(
        ...tighteningsOf(asObject(beforeProperties[name]), asObject(schema), `${path}.${name}`),
      );
    }
  }
  if (current.items !== undefined) {
    found.push(...tighteningsOf(asObject(before.items), asObject(current.items), `${path}[]`));
  }
  if (current.anyOf !== undefined || before.anyOf !== undefined) {
    const now = (current.anyOf as Json[] | undefined) ?? [];
    const then = (before.anyOf as Json[] | undefined) ?? [];
    if (now.length !== then.length) {
      if (!same(now, then)) report('anyOf changed');
    } else {
      now.forEach((branch, i) => found.push(...tighteningsOf(then[i]!, branch, `${path}|${i}`)));
    }
  }
  return found;
}

// ---------------------------------------------------------------------------
// The data a consumer must take: unknown fields anywhere, unknown open-enum values.
// ---------------------------------------------------------------------------

const isOpenEnum = (schema: Json) =>
  (typesOf(schema) ?? []).includes('string') &&
  Array.isArray(schema.examples) &&
  schema.enum === undefined &&
  schema.const === undefined;

const UNKNOWN_VALUES = ['zz-unknown-value', 'zz.unknown-value', 'zzunknown'];

/** A value no open enum knows, that its own format (pattern, length) still admits. */
function unknownValueFor(schema: Json, path: string): string {
  const fits = (value: string) =>
    (schema.pattern === undefined || new RegExp(schema.pattern as string, 'u').test(value)) &&
    value.length <= ((schema.maxLength as number | undefined) ?? Infinity) &&
    !(schema.examples as unknown[]).includes(value);
  const value = UNKNOWN_VALUES.find(fits);
  if (value === undefined) throw new Error(`no unknown value fits the open enum at ${path}`);
  return value;
}

const typeOfValue = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;

/** The branch of an `anyOf` that describes `value` (by its JSON type). */
function branchFor(schema: Json, value: unknown): Json {
  const branches = schema.anyOf as Json[] | undefined;
  if (!branches) return schema;
  const type = typeOfValue(value);
  const describes = (t: string) => t === type || (t === 'integer' && type === 'number');
  return branches.find((branch) => (typesOf(branch) ?? []).some(describes)) ?? schema;
}

interface Variation {
  /** Adds an unknown property to every object. */
  unknownFields: boolean;
  /** Replaces every open-enum value by one the schema does not list. */
  unknownEnumValues: boolean;
}

/** `value` as the current producer might also write it, walking the current schema alongside. */
function vary(
  schema: Json,
  value: unknown,
  variation: Variation,
  path: string,
  replaced: string[],
): unknown {
  const node = branchFor(schema, value);
  if (typeof value === 'string' && variation.unknownEnumValues && isOpenEnum(node)) {
    replaced.push(path);
    return unknownValueFor(node, path);
  }
  if (Array.isArray(value)) {
    return value.map((item, i) =>
      vary(asObject(node.items), item, variation, `${path}[${i}]`, replaced),
    );
  }
  if (value && typeof value === 'object') {
    const properties = asObject(node.properties);
    const varied = Object.fromEntries(
      Object.entries(value).map(([name, child]) => [
        name,
        vary(asObject(properties[name]), child, variation, `${path}.${name}`, replaced),
      ]),
    );
    return variation.unknownFields
      ? { ...varied, zzUnknownField: { added: 'in a later release' } }
      : varied;
  }
  return value;
}

const metadataOf = (fixture: Fixture): EventMetadata => ({
  id: fixture.headers.ce_id!,
  source: fixture.headers.ce_source!,
  time: fixture.headers.ce_time!,
  practiceId: fixture.headers.ce_practiceid!,
  correlationId: fixture.headers.ce_correlationid!,
  ...(fixture.headers.ce_causationid ? { causationId: fixture.headers.ce_causationid } : {}),
});

// ---------------------------------------------------------------------------

/** Writes the entries UPDATE_PUBLISHED=1 may write: new types, and loosenings. */
async function updatePublished(): Promise<void> {
  mkdirSync(publishedDir, { recursive: true });
  const refused: string[] = [];
  for (const definition of EVENT_CATALOGUE) {
    const before = published(definition.type);
    if (before && same(before, definition.schema)) continue;
    const tighter = before ? tighteningsOf(before, definition.schema) : [];
    if (tighter.length) {
      refused.push(`${definition.type}: ${tighter.join('; ')}`);
      continue;
    }
    const file = fileOf(definition.type);
    const options = (await prettier.resolveConfig(file)) ?? {};
    const text = await prettier.format(JSON.stringify(definition.schema), {
      ...options,
      parser: 'json',
    });
    writeFileSync(file, text);
  }
  if (refused.length) {
    throw new Error(
      `refusing to tighten a published schema (publish a new version instead):\n${refused.join('\n')}`,
    );
  }
}

if (UPDATE) beforeAll(updatePublished);

describe('the published schemas', () => {
  it('keep every published type in the catalogue: a published version never disappears', () => {
    const catalogued = new Set(EVENT_CATALOGUE.map((definition) => definition.type));
    expect(publishedTypes().filter((type) => !catalogued.has(type))).toEqual([]);
  });

  it('cover every type of the catalogue (a new type: run with UPDATE_PUBLISHED=1)', () => {
    const types = new Set(publishedTypes());
    expect(EVENT_CATALOGUE.map((d) => d.type).filter((type) => !types.has(type))).toEqual([]);
  });

  it('are found stricter than they were when a limit or an enum comes back (the check works)', () => {
    const sent = EVENT_CATALOGUE.find((d) => d.type === 'gm.message.sent.v1')!.schema as Json;
    const properties = asObject(sent.properties);
    const tightened = {
      ...sent,
      required: [...(sent.required as string[]), 'channel'],
      properties: {
        ...properties,
        subject: { ...asObject(properties.subject), maxLength: 200 },
        channel: { ...asObject(properties.channel), enum: ['phr-web'] },
      },
    };
    expect(tighteningsOf(sent, tightened)).toEqual([
      '(root): channel made required',
      '(root).subject: maxLength 200',
      '(root).channel: enum added (an open value closed)',
    ]);
    expect(tighteningsOf(tightened, sent)).toEqual([]);
  });
});

describe.each(EVENT_CATALOGUE.map((definition) => [definition.type, definition] as const))(
  '%s',
  (type, definition) => {
    const fixture = fixtureOf(type);

    it('is no stricter than its published schema', () => {
      const before = published(type);
      expect(before).toBeDefined();
      expect(tighteningsOf(before!, definition.schema)).toEqual([]);
    });

    it('has a golden fixture that its published schema accepts', () => {
      expect(schemaViolations(asPublished(definition), fixture.data)).toEqual([]);
    });

    it('has a golden fixture that its published schema accepts with unknown fields everywhere', () => {
      const replaced: string[] = [];
      const data = vary(
        definition.schema,
        fixture.data,
        { unknownFields: true, unknownEnumValues: false },
        '',
        replaced,
      );
      expect(schemaViolations(asPublished(definition), data)).toEqual([]);
      expect(schemaViolations(definition, data)).toEqual([]);
    });

    it('has a golden fixture that its published schema accepts with every open-enum value unknown', () => {
      const replaced: string[] = [];
      const data = vary(
        definition.schema,
        fixture.data,
        { unknownFields: true, unknownEnumValues: true },
        '',
        replaced,
      );
      expect(schemaViolations(asPublished(definition), data)).toEqual([]);
      // What the current producer may write, it may also read back.
      expect(schemaViolations(definition, data)).toEqual([]);
    });
  },
);

describe('a consumer that knows only the .v1 types, on their published schemas', () => {
  const v1Only = wireDecoder(
    EVENT_CATALOGUE.filter((definition) => definition.version === 1).map(asPublishedLazily),
  );

  /** Published schemas are read when the decoder first validates (after an UPDATE_PUBLISHED run). */
  function asPublishedLazily(definition: EventDefinition<unknown>): EventDefinition<unknown> {
    let schema: JsonSchema | undefined;
    return {
      ...definition,
      get schema() {
        schema ??= asPublished(definition).schema;
        return schema;
      },
    };
  }

  const outcomeOf = (record: ReturnType<typeof toWireRecord>): 'accepted' | 'skipped' => {
    try {
      v1Only(record);
      return 'accepted';
    } catch (error) {
      if (error instanceof UnknownEventVersion) return 'skipped';
      // A ContractViolation would be dead-lettered: it must never happen.
      expect(error).not.toBeInstanceOf(ContractViolation);
      throw error;
    }
  };

  it.each(EVENT_CATALOGUE.map((definition) => [definition.type, definition] as const))(
    'accepts or skips the golden %s as the current producer writes it, and dead-letters none',
    (type, definition) => {
      const fixture = fixtureOf(type);
      const variants = [
        fixture.data,
        vary(
          definition.schema,
          fixture.data,
          { unknownFields: true, unknownEnumValues: true },
          '',
          [],
        ),
      ];
      for (const data of variants) {
        const record = toWireRecord(buildEnvelope(definition, data, metadataOf(fixture)));
        expect(outcomeOf(record)).toBe(definition.version === 1 ? 'accepted' : 'skipped');
      }
    },
  );
});
