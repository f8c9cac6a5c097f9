import {
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { Request, Response } from 'express';

/** RFC 9457 problem details, with the stable `code` clients branch on. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  errors?: { field: string; message: string }[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * How a rule's error is told apart without importing anything: domain errors
 * carry `code` and `kind` (plain TypeScript), and this table gives the status.
 */
export type ProblemKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'precondition'
  | 'payment-required'
  | 'rate-limited'
  | 'unavailable';

const STATUS_BY_KIND: Record<ProblemKind, number> = {
  invalid: 422,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  precondition: 412,
  'payment-required': 402,
  'rate-limited': 429,
  unavailable: 503,
};

export interface RuleViolation {
  code: string;
  kind: ProblemKind;
  message: string;
  /** RFC 9457 extension members the client needs to act on (ids and counts only: never PHI). */
  extensions?: Record<string, unknown>;
}

export function isRuleViolation(error: unknown): error is RuleViolation {
  if (!(error instanceof Error)) return false;
  const candidate = error as Error & Partial<RuleViolation>;
  return typeof candidate.code === 'string' && !!candidate.kind && candidate.kind in STATUS_BY_KIND;
}

/** An HTTP-layer problem (validation, auth, parsing) raised outside the domain. */
export class ProblemException extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    detail: string,
    readonly errors?: ProblemDetails['errors'],
  ) {
    super(detail, status);
  }
}

const problemType = (code: string) => `urn:group-messages:problem:${code}`;

const titleFor = (status: number) =>
  (HttpStatus[status] ?? 'ERROR')
    .toString()
    .toLowerCase()
    .replace(/_/g, ' ')
    .replace(/^\w/, (c) => c.toUpperCase());

function codeForHttpException(exception: HttpException): string {
  const status = exception.getStatus();
  // Express' body parser reports malformed JSON and oversize bodies this way.
  const cause = exception.cause as { type?: string } | undefined;
  if (cause?.type === 'entity.parse.failed' || /JSON/.test(exception.message))
    return 'malformed-body';
  const byStatus: Record<number, string> = {
    400: 'bad-request',
    401: 'unauthenticated',
    403: 'forbidden',
    404: 'not-found',
    405: 'method-not-allowed',
    409: 'conflict',
    413: 'payload-too-large',
    415: 'unsupported-media-type',
    429: 'rate-limited',
  };
  return byStatus[status] ?? (status >= 500 ? 'internal-error' : 'request-rejected');
}

export function toProblem(exception: unknown, instance?: string): ProblemDetails {
  // Errors raised in Express middleware (request-guards.ts) reach the filter
  // wrapped in an HttpException whose cause is the original.
  if (exception instanceof HttpException && exception.cause instanceof ProblemException) {
    return toProblem(exception.cause, instance);
  }
  if (exception instanceof ProblemException) {
    const status = exception.getStatus();
    return {
      type: problemType(exception.code),
      title: titleFor(status),
      status,
      code: exception.code,
      detail: exception.message,
      instance,
      errors: exception.errors,
    };
  }
  if (isRuleViolation(exception)) {
    const status = STATUS_BY_KIND[exception.kind];
    return {
      ...exception.extensions,
      type: problemType(exception.code),
      title: titleFor(status),
      status,
      code: exception.code,
      detail: exception.message,
      instance,
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const code = codeForHttpException(exception);
    return {
      type: problemType(code),
      title: titleFor(status),
      status,
      code,
      detail: status >= 500 ? 'The request could not be completed.' : exception.message,
      instance,
    };
  }
  // Express' own errors (body parser) carry a status and a type.
  const raw = exception as { status?: number; statusCode?: number; type?: string };
  const rawStatus = raw?.status ?? raw?.statusCode;
  if (typeof rawStatus === 'number' && rawStatus >= 400 && rawStatus < 500) {
    const code =
      raw.type === 'entity.parse.failed'
        ? 'malformed-body'
        : raw.type === 'entity.too.large'
          ? 'payload-too-large'
          : 'bad-request';
    return {
      type: problemType(code),
      title: titleFor(rawStatus),
      status: rawStatus,
      code,
      detail:
        code === 'malformed-body'
          ? 'The request body is not valid JSON.'
          : String((exception as Error).message ?? code),
      instance,
    };
  }
  return {
    type: problemType('internal-error'),
    title: 'Internal server error',
    status: 500,
    code: 'internal-error',
    detail: 'The request could not be completed.',
    instance,
  };
}

/** Every error leaves the service as application/problem+json. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const problem = toProblem(exception, request?.originalUrl?.split('?')[0]);
    if (problem.status >= 500) {
      // Never the request body: it may hold PHI.
      this.logger.error({ err: exception, path: problem.instance }, 'request failed');
    }
    if (response.headersSent) return;
    // Every 503 is worth a retry (a busy document, a store or a projection catching up).
    if (problem.status === 503 && !response.getHeader('Retry-After')) {
      response.setHeader('Retry-After', '1');
    }
    response.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }
}
