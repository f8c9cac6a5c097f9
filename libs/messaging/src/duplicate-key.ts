/**
 * Whether a write failed on a unique index. MongoDB says so with code 11000;
 * FerretDB 1.x does too for inserts, but an update that collides answers
 * code 1 (InternalError) carrying PostgreSQL's unique-violation SQLSTATE.
 */
export function isDuplicateKeyError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code === 11000) return true;
  return code === 1 && typeof message === 'string' && message.includes('(SQLSTATE 23505)');
}
