import { ApiHeader } from '@nestjs/swagger';
import { ProblemException } from './problem.js';

/** Reads an `If-Match` version (`"3"`, `W/"3"` or `3`); undefined when the header is absent. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(header.trim());
  if (!match)
    throw new ProblemException(400, 'invalid-if-match', 'If-Match must be a version, e.g. "3"');
  return Number(match[1]);
}

/** The `If-Match` parseIfMatch takes, for the OpenAPI document. */
export const IF_MATCH_PATTERN = '^\\s*(W/)?"?[0-9]{1,9}"?\\s*$';

/** Documents an optional `If-Match` guard with the form the service takes. */
export const ApiIfMatch = (description: string) =>
  ApiHeader({
    name: 'If-Match',
    required: false,
    description,
    schema: { type: 'string', pattern: IF_MATCH_PATTERN },
  });
