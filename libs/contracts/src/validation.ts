import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { EventDefinition } from './event-definition.js';

// ajv-formats is CommonJS; under Node's ESM loader its default export is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

const ajv = addFormats(new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }));
// By definition, not by type: a decoder may be built on another schema of a
// type (the published one, in the compatibility spec).
const compiled = new WeakMap<EventDefinition<unknown>, ValidateFunction>();

function validatorFor(definition: EventDefinition<unknown>): ValidateFunction {
  let validate = compiled.get(definition);
  if (!validate) {
    validate = ajv.compile(definition.schema);
    compiled.set(definition, validate);
  }
  return validate;
}

/** Returns the schema violations of `data`, or an empty list when it is valid. */
export function schemaViolations(definition: EventDefinition<unknown>, data: unknown): string[] {
  const validate = validatorFor(definition);
  if (validate(data)) return [];
  return (validate.errors ?? []).map(
    (error) => `${error.instancePath || '(root)'} ${error.message ?? 'is invalid'}`,
  );
}
