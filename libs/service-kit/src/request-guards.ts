import type { NextFunction, Request, Response } from 'express';
import { ProblemException } from './problem.js';

/**
 * Client text checked before anything else sees it. Each rule closes a hole
 * the system tests found:
 * - NUL reaches PostgreSQL through FerretDB and fails there with a 500;
 * - lone surrogates and invalid UTF-8 would be stored as U+FFFD, silently
 *   changing what the client wrote;
 * - JSON nested thousands deep overflows the validator's recursion;
 * - `__proto__`/`constructor`/`prototype` keys are dropped by
 *   class-transformer instead of refused like every other unknown key.
 */
export const MAX_BODY_DEPTH = 32;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export type TextProblem = 'nul' | 'ill-formed';

/** A surrogate without its pair (String.prototype.isWellFormed is ES2024). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function textProblem(text: string): TextProblem | undefined {
  if (text.includes('\u0000')) return 'nul';
  if (LONE_SURROGATE.test(text)) return 'ill-formed';
  return undefined;
}

const DESCRIBE: Record<TextProblem, string> = {
  nul: 'contains a NUL character',
  'ill-formed': 'is not well-formed Unicode (a lone surrogate)',
};

/**
 * Walks a parsed body without recursion (so depth is measured, never
 * overflowed) and names the first problem found, or none.
 */
export function bodyProblem(body: unknown): ProblemException | undefined {
  const pending: { value: unknown; path: string; depth: number }[] = [
    { value: body, path: '', depth: 0 },
  ];
  while (pending.length) {
    const { value, path, depth } = pending.pop()!;
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem) return invalidText(path || 'body', DESCRIBE[problem]);
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_BODY_DEPTH) {
      return new ProblemException(
        400,
        'body-too-deep',
        `The request body nests objects and arrays deeper than ${MAX_BODY_DEPTH} levels.`,
      );
    }
    for (const key of Object.keys(value)) {
      const at = path ? `${path}.${key}` : key;
      if (FORBIDDEN_KEYS.has(key)) {
        return new ProblemException(422, 'validation-failed', 'The request is not valid.', [
          { field: at, message: `${key} is not allowed` },
        ]);
      }
      const problem = textProblem(key);
      if (problem) return invalidText(at, `a key ${DESCRIBE[problem]}`);
      pending.push({ value: (value as Record<string, unknown>)[key], path: at, depth: depth + 1 });
    }
  }
  return undefined;
}

function invalidText(field: string, message: string): ProblemException {
  return new ProblemException(422, 'invalid-text', 'The request holds text that is not accepted.', [
    { field, message },
  ]);
}

/**
 * The URL (path and query) must decode to well-formed text without NUL: a
 * malformed escape (`%ff`), an encoded surrogate (`%ED%A0%80`) or `%00` is
 * refused before routing, so no path parameter or query value carries one.
 */
export function urlProblem(url: string): ProblemException | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.replace(/\+/g, ' '));
  } catch {
    return new ProblemException(400, 'malformed-url', 'The URL holds a malformed escape.');
  }
  return textProblem(decoded)
    ? new ProblemException(400, 'malformed-url', 'The URL holds text that is not accepted.')
    : undefined;
}

export function urlGuard(req: Request, _res: Response, next: NextFunction): void {
  next(urlProblem(req.originalUrl));
}

export function bodyGuard(req: Request, _res: Response, next: NextFunction): void {
  next(req.body === undefined ? undefined : bodyProblem(req.body));
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * body-parser's `verify` hook: the raw bytes must be UTF-8, or the parser
 * would replace what it cannot decode with U+FFFD and store it.
 */
export function verifyUtf8(_req: unknown, _res: unknown, raw: Buffer): void {
  try {
    strictUtf8.decode(raw);
  } catch {
    throw new ProblemException(400, 'malformed-body', 'The request body is not valid UTF-8.');
  }
}
