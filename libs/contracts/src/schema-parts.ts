import {
  Type,
  type ObjectOptions,
  type Static,
  type TObject,
  type TOptional,
  type TProperties,
  type TSchema,
  type TUnsafe,
} from '@sinclair/typebox';

/**
 * Building blocks for the event schemas, as TypeBox builders: each schema is
 * written once and its TypeScript type derived from it (`Static`). Schemas
 * accept unknown properties, so adding an optional field is not a breaking
 * change (ADR 0005), and they state what a value IS (an id, a time, a code),
 * never what the product allows today: product limits (text lengths, list
 * sizes, ranges of settings) are each service's own validation, not wire
 * constraints (docs/event-compatibility.md, ADR 0023).
 */

/** Longest id, in code points (as JSON Schema counts them): a bound of the format. */
export const MAX_ID_LENGTH = 128;
/** Longest code (an open-enum value, an action, a problem code): a bound of the format. */
export const MAX_CODE_LENGTH = 64;

/** Adds keywords to a schema, keeping its TypeScript type. */
export function extend<T extends TSchema>(schema: T, keywords: Record<string, unknown>): T {
  return { ...schema, ...keywords };
}

/**
 * The schema with a description for readers (it reaches the AsyncAPI
 * document), before any description it has already (an open enum's).
 */
export function described<T extends TSchema>(schema: T, description: string): T {
  const own = (schema as { description?: unknown }).description;
  return extend(schema, {
    description: typeof own === 'string' ? `${description} ${own}` : description,
  });
}

/** The schema or null, as one JSON Schema type list (`type: ['string', 'null']`). */
export function nullable<T extends TSchema>(schema: T): TUnsafe<Static<T> | null> {
  const { type, ...keywords } = Object.fromEntries(Object.entries(schema)) as Record<
    string,
    unknown
  >;
  if (typeof type !== 'string') throw new Error('nullable() takes a schema of one type');
  return Type.Unsafe<Static<T> | null>({ type: [type, 'null'], ...keywords });
}

export const id = Type.String({ minLength: 1, maxLength: MAX_ID_LENGTH });
export const nullableId = nullable(id);
export const timestamp = Type.String({ format: 'date-time' });
export const version = Type.Integer({ minimum: 1 });
export const idList = Type.Array(id, { uniqueItems: true });

type WithOptional<P extends TProperties, K extends PropertyKey> = {
  [N in keyof P]: N extends K ? TOptional<P[N]> : P[N];
};

/** An object with these properties, all required but those named `optional`; unknown ones accepted. */
export function object<P extends TProperties, K extends keyof P & string = never>(
  properties: P,
  optional: readonly K[] = [],
  options?: ObjectOptions,
): TObject<WithOptional<P, K>> {
  for (const name of optional) {
    if (!(name in properties)) throw new Error(`optional property ${name} is not a property`);
  }
  const entries = Object.entries(properties).map(([name, schema]) => [
    name,
    (optional as readonly string[]).includes(name) ? Type.Optional(schema) : schema,
  ]);
  return Type.Object(Object.fromEntries(entries) as WithOptional<P, K>, options);
}

const codes = (values: readonly string[]) => values.map((value) => `\`${value}\``).join(', ');

/**
 * A CLOSED enum: exactly these values. Only where a consumer that does not
 * know a value would act wrongly on it; a new value then needs a new
 * version of the event (docs/event-compatibility.md).
 */
export function oneOf<const T extends readonly [string, ...string[]]>(
  ...values: T
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({
    type: 'string',
    enum: [...values],
    description: `Closed enum: exactly ${codes(values)}; another value would come with a new version of the event.`,
  });
}

/** The type of an open enum: its known values, and any other string. */
export type OpenEnum<T extends string> = T | (string & {});

/** The known values of an open enum's type (for a producer that must write one of them). */
export type KnownValue<T> = T extends string ? (string extends T ? never : T) : never;

/**
 * An OPEN enum: values that can grow within the version without changing
 * what the known ones mean (a reason, a how, an action...). On the wire a
 * non-empty bounded string; the known values are listed for readers in the
 * description and in `examples` (an annotation every JSON Schema validator
 * knows). A consumer takes a value it does not know: it ignores it, or falls
 * back to a neutral default.
 */
export function openEnum<const T extends readonly [string, ...string[]]>(
  ...values: T
): TUnsafe<OpenEnum<T[number]>> {
  for (const value of values) {
    if (value.length === 0 || value.length > MAX_CODE_LENGTH) {
      throw new Error(
        `open-enum value ${value} is not a code of 1 to ${MAX_CODE_LENGTH} characters`,
      );
    }
  }
  return Type.Unsafe<OpenEnum<T[number]>>({
    type: 'string',
    minLength: 1,
    maxLength: MAX_CODE_LENGTH,
    description: `Open enum: known values ${codes(values)}; others may come in this version, and a reader takes a value it does not know (ignores it, or falls back to a neutral default).`,
    examples: [...values],
  });
}
