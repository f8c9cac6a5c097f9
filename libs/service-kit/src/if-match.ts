import { ProblemException } from './problem.js';

/** Reads an `If-Match` version (`"3"`, `W/"3"` or `3`); undefined when the header is absent. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(header.trim());
  if (!match)
    throw new ProblemException(400, 'invalid-if-match', 'If-Match must be a version, e.g. "3"');
  return Number(match[1]);
}
