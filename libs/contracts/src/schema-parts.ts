import type { JsonSchema } from './event-definition.js';

/**
 * Building blocks for the event schemas. v1 schemas accept unknown properties
 * so that adding an optional field is not a breaking change (ADR 0005).
 */
/** Longest id, in code points (as JSON Schema counts them). */
export const MAX_ID_LENGTH = 128;
export const id: JsonSchema = { type: 'string', minLength: 1, maxLength: MAX_ID_LENGTH };
export const nullableId: JsonSchema = {
  type: ['string', 'null'],
  minLength: 1,
  maxLength: MAX_ID_LENGTH,
};
export const timestamp: JsonSchema = { type: 'string', format: 'date-time' };
export const version: JsonSchema = { type: 'integer', minimum: 1 };
export const idList: JsonSchema = { type: 'array', items: id, uniqueItems: true };

export function object(
  properties: Record<string, JsonSchema>,
  optional: string[] = [],
): JsonSchema {
  return {
    type: 'object',
    properties,
    required: Object.keys(properties).filter((name) => !optional.includes(name)),
  };
}

export function oneOf<T extends string>(...values: T[]): JsonSchema {
  return { type: 'string', enum: values };
}
