import { applyDecorators } from '@nestjs/common';
import { ApiResponse, type OpenAPIObject } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { ProblemException } from './problem.js';

const TOKEN = 'ConsistencyToken';
const READS = new Set(['get', 'head', 'options']);
const PROBLEM = { $ref: '#/components/schemas/Problem' };

/** Problem details (RFC 9457) as every service answers them (problem.ts). */
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

/** What every authenticated route may answer, whatever it does. */
const ANY_ROUTE: Record<string, string> = {
  '400':
    'Bad request: `invalid-consistency-token` (not made for your practice, malformed, or more than 16), `malformed-body`, or a query the route does not take.',
  '401': 'No valid bearer token: `unauthenticated`, `token-invalid`, `token-expired`.',
  '403':
    'Not open to the caller: `actor-not-allowed`, `privilege-required`, or a rule of the route.',
  '503':
    '`not-yet-consistent` (the tokens sent are not reached yet: retry after `Retry-After`), or a store this service needs is unavailable.',
};
const WITH_INPUT = {
  '422': 'A parameter, the query or the body breaks a rule (`validation-failed`, with `errors`).',
};
const WITH_BODY = {
  '413': '`payload-too-large`: the body is over the service limit.',
  '415': 'The body is not `application/json`.',
};

/** Route-specific error answers, each problem+json; the description says which codes. */
export const ApiProblems = (problems: Record<number, string>) =>
  applyDecorators(
    ...Object.entries(problems).map(([status, description]) =>
      ApiResponse({ status: Number(status), description }),
    ),
  );

interface Operation {
  security?: unknown[];
  parameters?: { in?: string; $ref?: string }[];
  requestBody?: unknown;
  responses: Record<
    string,
    { description?: string; headers?: Record<string, unknown>; content?: unknown }
  >;
}

/**
 * Makes the document say what the service does on every route: the
 * Consistency-Token request header and the token a write answers (ADR
 * 0018), and every error it may answer, as problem+json.
 */
export function documentHttpConventions(document: OpenAPIObject): void {
  const components = (document.components ??= {});
  components.schemas = { Problem: PROBLEM_SCHEMA, ...components.schemas };
  components.parameters = {
    ...components.parameters,
    [TOKEN]: {
      name: 'Consistency-Token',
      in: 'header',
      required: false,
      description:
        'Tokens of earlier writes (the `Consistency-Token` they answered), comma-separated, at most 16. The request is answered once this service has applied everything they stand for, so the answer reflects those writes; after CONSISTENCY_WAIT_MS (10 s by default) it is refused with 503 `not-yet-consistent` and nothing is done. Only tokens the platform issued for your practice are taken (else 400 `invalid-consistency-token`).',
      schema: { type: 'string', maxLength: 2048 },
    },
  };
  components.headers = {
    ...components.headers,
    [TOKEN]: {
      description:
        'Stands for everything this request changed, including the events it caused: send it with later requests to any service to read this write there (ADR 0018).',
      schema: { type: 'string', maxLength: 200 },
    },
  };
  for (const item of Object.values(document.paths)) {
    for (const [method, operation] of Object.entries(item) as [string, Operation][]) {
      if (!operation || typeof operation !== 'object' || !('responses' in operation)) continue;
      const responses = operation.responses;
      const authenticated = Boolean(operation.security?.length || document.security?.length);
      if (authenticated) {
        operation.parameters = [
          ...(operation.parameters ?? []),
          { $ref: `#/components/parameters/${TOKEN}` },
        ];
        for (const [status, response] of Object.entries(responses)) {
          if (status.startsWith('2') && !READS.has(method)) {
            response.headers = {
              ...response.headers,
              'Consistency-Token': { $ref: `#/components/headers/${TOKEN}` },
            };
          }
        }
        const hasInput = Boolean(operation.parameters.some((p) => p.in) || operation.requestBody);
        const generic = {
          ...ANY_ROUTE,
          ...(hasInput ? WITH_INPUT : {}),
          ...(operation.requestBody ? WITH_BODY : {}),
        };
        for (const [status, description] of Object.entries(generic)) {
          responses[status] ??= { description };
        }
      }
      for (const [status, response] of Object.entries(responses)) {
        if (Number(status) >= 400) {
          response.content = { 'application/problem+json': { schema: PROBLEM } };
          if (status === '503') {
            response.headers = { 'Retry-After': { schema: { type: 'integer', minimum: 1 } } };
          }
        }
      }
    }
  }
}

/**
 * Express middleware from the document: a method a path does not take is
 * 405 with `Allow`, not 404 (the path exists).
 */
export function methodGuard(document: OpenAPIObject) {
  const routes = Object.entries(document.paths).map(([path, item]) => ({
    pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}/?$`),
    methods: Object.keys(item).map((method) => method.toUpperCase()),
  }));
  return (req: Request, res: Response, next: NextFunction): void => {
    const matching = routes.filter((route) => route.pattern.test(req.path));
    if (!matching.length) return next();
    const allowed = new Set(matching.flatMap((route) => route.methods));
    if (allowed.has('GET')) allowed.add('HEAD');
    allowed.add('OPTIONS');
    if (allowed.has(req.method)) return next();
    res.setHeader('Allow', [...allowed].join(', '));
    next(
      new ProblemException(
        405,
        'method-not-allowed',
        `${req.method} is not a method of this path.`,
      ),
    );
  };
}
