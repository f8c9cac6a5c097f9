import { ProblemException } from '@gm/service-kit';
import type { Request } from 'express';
import { createHash } from 'node:crypto';
import type { SendRequest } from '../application/patient-sends.js';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{1,100}$/;

/** JSON with object keys sorted, so the same body always hashes the same whatever its key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The optional Idempotency-Key header (1–100 of A–Z a–z 0–9 _ -) and the
 * request's fingerprint: a hash of method, path and body, so a retry is told
 * apart from a different request reusing the key. The hash, not the body, is
 * what is kept: bodies are PHI.
 */
export function sendRequest(request: Request, header: string | undefined): SendRequest {
  if (header !== undefined && !IDEMPOTENCY_KEY.test(header)) {
    throw new ProblemException(
      422,
      'invalid-idempotency-key',
      'Idempotency-Key must be 1 to 100 characters of A-Z, a-z, 0-9, _ and -.',
    );
  }
  const fingerprint = createHash('sha256')
    .update(`${request.method}\n${request.path}\n${canonicalJson(request.body)}`)
    .digest('hex');
  return { idempotencyKey: header ?? null, fingerprint };
}
