import { BadRequestException, NotFoundException } from '@nestjs/common';
import { ProblemException, toProblem } from './problem.js';

class GroupNameTaken extends Error {
  readonly code = 'group-name-taken';
  readonly kind = 'conflict' as const;
}

describe('problem details', () => {
  it('maps a domain rule violation by its kind, keeping its code', () => {
    expect(toProblem(new GroupNameTaken('A group named Billing exists.'), '/groups')).toEqual({
      type: 'urn:group-messages:problem:group-name-taken',
      title: 'Conflict',
      status: 409,
      code: 'group-name-taken',
      detail: 'A group named Billing exists.',
      instance: '/groups',
    });
  });

  it("adds a violation's extension members, which cannot replace the standard ones", () => {
    const stale = Object.assign(new GroupNameTaken('Changed.'), {
      extensions: { changes: { replies: 1 }, status: 200, code: 'other' },
    });
    expect(toProblem(stale)).toMatchObject({
      status: 409,
      code: 'group-name-taken',
      changes: { replies: 1 },
    });
  });

  it('keeps the field errors of a validation problem', () => {
    const problem = toProblem(
      new ProblemException(422, 'validation-failed', 'The request is not valid.', [
        { field: 'name', message: 'name must be a string' },
      ]),
    );
    expect(problem).toMatchObject({
      status: 422,
      code: 'validation-failed',
      errors: [{ field: 'name' }],
    });
  });

  it('maps framework HTTP errors to stable codes', () => {
    expect(toProblem(new NotFoundException('Cannot GET /x'))).toMatchObject({
      status: 404,
      code: 'not-found',
    });
    expect(toProblem(new BadRequestException('bad'))).toMatchObject({
      status: 400,
      code: 'bad-request',
    });
  });

  it("maps the body parser's errors", () => {
    const parse = Object.assign(new SyntaxError('Unexpected end'), {
      status: 400,
      type: 'entity.parse.failed',
    });
    const large = Object.assign(new Error('too large'), { status: 413, type: 'entity.too.large' });
    expect(toProblem(parse)).toMatchObject({ status: 400, code: 'malformed-body' });
    expect(toProblem(large)).toMatchObject({ status: 413, code: 'payload-too-large' });
  });

  it('hides the details of an unexpected error', () => {
    const problem = toProblem(new Error('connection string mongodb://user:secret@db'));
    expect(problem).toMatchObject({ status: 500, code: 'internal-error' });
    expect(JSON.stringify(problem)).not.toContain('secret');
  });
});
