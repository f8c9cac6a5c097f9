import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import type { AccessOutcome } from '../domain/access-record.js';

/** What `auditWindow` takes: RFC 3339 with a zone, a time Date.parse reads (24:00:00 included). */
const RFC3339 =
  '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt](([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?|24:00:00(\\.0{1,9})?)([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$';
/** No NUL: the URL guard refuses it (400 malformed-url). */
const NO_NUL = '^[^\\u0000]*$';
const ACCESS_OUTCOMES: readonly AccessOutcome[] = ['served', 'refused'];

export class ListAccessRecordsQueryDto {
  @ApiPropertyOptional({
    description:
      'Only records of this thread: its reads (served or refused) and changes, and the listings that showed it.',
    minLength: 1,
    maxLength: 128,
    pattern: NO_NUL,
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  threadId?: string;

  @ApiPropertyOptional({
    description: 'Only records of this actor (member, patient or system id).',
    minLength: 1,
    maxLength: 128,
    pattern: NO_NUL,
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  actorId?: string;

  @ApiPropertyOptional({
    description:
      'Only this action: thread.message-sent, thread.read, thread.timeline.read, thread.assigned, thread.unassigned, thread.replied, thread.trashed, thread.restored; listings: threads.listed, threads.searched, mailbox.listed, mailbox.searched.',
    pattern: '^[a-z][a-z-]*(\\.[a-z][a-z-]*)+$',
    maxLength: 64,
  })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z][a-z-]*(\.[a-z][a-z-]*)+$/, { message: 'action must look like thread.read' })
  @MaxLength(64)
  action?: string;

  @ApiPropertyOptional({
    enum: ACCESS_OUTCOMES,
    description:
      'Only served accesses, or only refused ones (a read answered 403/404: `refusal` has the code).',
  })
  @IsOptional()
  @IsIn(ACCESS_OUTCOMES)
  outcome?: AccessOutcome;

  @ApiPropertyOptional({
    description: 'Inclusive start, RFC 3339 with a time zone; default 90 days before `to`.',
    example: '2025-03-01T00:00:00Z',
    pattern: RFC3339,
    maxLength: 40,
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  from?: string;

  @ApiPropertyOptional({
    description:
      'Inclusive end, RFC 3339 with a time zone; default now. At most 366 days after `from`.',
    example: '2025-03-31T00:00:00Z',
    pattern: RFC3339,
    maxLength: 40,
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  to?: string;

  @ApiPropertyOptional({
    description: 'Opaque cursor from the previous page (nextCursor).',
    maxLength: 400,
    pattern: NO_NUL,
  })
  @IsOptional()
  @IsString()
  @MaxLength(400)
  cursor?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

class AccessActorDto {
  @ApiProperty({ enum: ['member', 'patient', 'system'] }) kind!: string;
  @ApiProperty() id!: string;
}

class AccessListingDto {
  @ApiProperty({
    example: 'group-threads',
    description:
      'The view listed: group-threads, direct-threads or mailbox, or a view added since (an open set, kept as recorded).',
  })
  view!: string;
  @ApiProperty({ nullable: true, type: String, description: 'The group listed (group-threads).' })
  groupId!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The member filter (all, not-replied…) or the mailbox box (inbox, unread, sent).',
  })
  filter!: string | null;
  @ApiProperty({ description: 'A search text was given (the text itself is never recorded).' })
  searched!: boolean;
}

class AccessSourceDto {
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Client address as the service saw it.',
  })
  ip!: string | null;
  @ApiProperty({ nullable: true, type: String }) userAgent!: string | null;
}

export class AccessRecordDto {
  @ApiProperty() recordId!: string;
  @ApiProperty({ type: AccessActorDto }) actor!: AccessActorDto;
  @ApiProperty({ example: 'thread.read' }) action!: string;
  @ApiProperty({ nullable: true, type: String, description: 'null for a listing.' })
  threadId!: string | null;
  @ApiProperty({
    type: [String],
    description:
      'Every thread the record concerns: `[threadId]`, or the ids a listing showed, in order.',
  })
  threadIds!: string[];
  @ApiProperty({ enum: ACCESS_OUTCOMES }) outcome!: AccessOutcome;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'thread-not-found',
    description: 'The problem code a refused access was answered with.',
  })
  refusal!: string | null;
  @ApiProperty({ type: AccessListingDto, nullable: true }) listing!: AccessListingDto | null;
  @ApiProperty() occurredAt!: string;
  @ApiProperty({ type: AccessSourceDto }) source!: AccessSourceDto;
  @ApiProperty() correlationId!: string;
  @ApiProperty({ example: '/services/inbox-projection' }) recordedBy!: string;
}

export class AccessRecordsPageDto {
  @ApiProperty({ type: [AccessRecordDto] }) records!: AccessRecordDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
