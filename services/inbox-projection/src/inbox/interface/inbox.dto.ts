import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import type { MemberFilter } from '../domain/paging.js';

/** A member listing's filters: every value of MemberFilter, and nothing else. */
const MEMBER_FILTERS: readonly MemberFilter[] = [
  'all',
  'not-replied',
  'replied',
  'trash',
  'overdue',
];

/**
 * What the URL guard (service-kit request-guards) lets through in a path or
 * query value: no NUL (400 malformed-url before routing).
 */
export const URL_TEXT = '^[^\\u0000]*$';
/** A path segment: some text, no NUL. */
export const PATH_ID = { type: 'string', minLength: 1, pattern: '^[^\\u0000]+$' } as const;

class PageQueryDto {
  @ApiPropertyOptional({
    description:
      'Opaque cursor from the previous page (`nextCursor`); empty = the first page. A cursor this service did not issue is 422 `invalid-cursor`.',
    pattern: '^[A-Za-z0-9_-]*$',
    maxLength: 600,
  })
  @IsOptional()
  @IsString()
  @MaxLength(600)
  cursor?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 25 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

export class GroupThreadsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    enum: MEMBER_FILTERS,
    default: 'all',
    description:
      "All = every thread not in Trash. Overdue = Not Replied threads past the group's first-response target (not in Trash).",
  })
  @IsOptional()
  @IsIn(MEMBER_FILTERS)
  filter?: MemberFilter;

  @ApiPropertyOptional({
    description: "Part of the patient's name or of the subject.",
    maxLength: 100,
    pattern: URL_TEXT,
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}

export class MemberThreadQueryDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    description:
      "Read-your-writes (the older form of a Consistency-Token): a thread version a write returned (routing-assignment's `version`). The answer waits until the projection holds it; not within CONSISTENCY_WAIT_MS (10 s by default), 503 `not-yet-consistent`.",
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  after?: number;
}

export class MailboxQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['inbox', 'unread', 'sent'], default: 'inbox' })
  @IsOptional()
  @IsIn(['inbox', 'unread', 'sent'])
  box?: 'inbox' | 'unread' | 'sent';

  @ApiPropertyOptional({
    description: 'Part of the group name.',
    maxLength: 100,
    pattern: URL_TEXT,
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}

export class PatientThreadQueryDto {
  @ApiPropertyOptional({
    description:
      'Read-your-writes (the older form of a Consistency-Token): the messageId a send returned. The answer waits until the projection shows it; not within CONSISTENCY_WAIT_MS (10 s by default), 503 `not-yet-consistent`.',
    pattern: '^[A-Za-z0-9_:.-]{1,128}$',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_:.-]{1,128}$/)
  after?: string;
}
