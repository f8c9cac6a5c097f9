import { isDuplicateKeyError } from './duplicate-key.js';

describe('isDuplicateKeyError', () => {
  it.each([
    ['MongoDB and FerretDB inserts', { code: 11000, message: 'E11000 duplicate key' }, true],
    [
      'a FerretDB update on PostgreSQL',
      {
        code: 1,
        message:
          '[msg_update.go:133 handler.(*Handler).updateDocument] ERROR: duplicate key value violates unique constraint "x_k_idx" (SQLSTATE 23505)',
      },
      true,
    ],
    [
      'another FerretDB internal error',
      { code: 1, message: 'ERROR: unsupported Unicode escape sequence (SQLSTATE 22P05)' },
      false,
    ],
    ['a network error', new Error('connection reset'), false],
    ['nothing', undefined, false],
  ])('%s → %s', (_label, error, expected) => {
    expect(isDuplicateKeyError(error)).toBe(expected);
  });
});
