import type { OpenAPIObject } from '@nestjs/swagger';

const TOKEN = 'ConsistencyToken';
const READS = new Set(['get', 'head', 'options']);
const PROBLEM = { $ref: '#/components/schemas/Problem' };

/** Problem details (RFC 9457) as every service answers them. */
const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string', description: 'Stable machine-readable code.' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: { field: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

const problemResponse = (description: string, headers?: Record<string, unknown>) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/problem+json': { schema: PROBLEM } },
});

/**
 * Documents read-your-writes (ADR 0018) on every authenticated route: the
 * `Consistency-Token` request header, the token a write answers, and the
 * 400 and 503 a token can cause.
 */
export function documentConsistencyTokens(document: OpenAPIObject): void {
  const components = (document.components ??= {});
  components.schemas = { Problem: PROBLEM_SCHEMA, ...components.schemas };
  components.parameters = {
    ...components.parameters,
    [TOKEN]: {
      name: 'Consistency-Token',
      in: 'header',
      required: false,
      description:
        'Tokens of earlier writes (the `Consistency-Token` they answered), comma-separated, at most 16. The request is answered once this service has applied everything they stand for, so the answer reflects those writes; after CONSISTENCY_WAIT_MS (10 s by default) it is refused with 503 `not-yet-consistent` and nothing is done.',
      schema: { type: 'string', maxLength: 2048 },
    },
  };
  components.headers = {
    ...components.headers,
    [TOKEN]: {
      description:
        'Stands for everything this write changed, including the events it caused: send it with later requests to any service to read this write there.',
      schema: { type: 'string', maxLength: 200 },
    },
  };
  for (const item of Object.values(document.paths)) {
    for (const [method, operation] of Object.entries(item) as [string, Operation][]) {
      if (!operation || typeof operation !== 'object' || !('responses' in operation)) continue;
      if (!operation.security?.length && !document.security?.length) continue;
      operation.parameters = [
        ...(operation.parameters ?? []),
        { $ref: `#/components/parameters/${TOKEN}` },
      ];
      const responses = operation.responses;
      if (!READS.has(method)) {
        for (const [status, response] of Object.entries(responses)) {
          if (status.startsWith('2')) {
            response.headers = {
              ...response.headers,
              'Consistency-Token': { $ref: `#/components/headers/${TOKEN}` },
            };
          }
        }
      }
      responses['400'] ??= problemResponse(
        'Bad request: e.g. `invalid-consistency-token` (a token not made for your practice, malformed, or more than 16).',
      );
      responses['503'] ??= problemResponse(
        '`not-yet-consistent`: the tokens sent are not reached yet (retry after `Retry-After` seconds), or a dependency is unavailable.',
        { 'Retry-After': { schema: { type: 'integer' } } },
      );
    }
  }
}

interface Operation {
  security?: unknown[];
  parameters?: unknown[];
  responses: Record<string, { headers?: Record<string, unknown> }>;
}
