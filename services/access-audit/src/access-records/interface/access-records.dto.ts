import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';

/** What `auditWindow` takes: RFC 3339 with a zone, a time Date.parse reads (24:00:00 included). */
const RFC3339 =
  '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt](([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?|24:00:00(\\.0{1,9})?)([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$';
/** No NUL: the URL guard refuses it (400 malformed-url). */
const NO_NUL = '^[^\\u0000]*$';

export class ListAccessRecordsQueryDto {
  @ApiPropertyOptional({
    description: 'Only records of this thread.',
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
      'Only this action: thread.message-sent, thread.read, thread.timeline.read, thread.assigned, thread.unassigned, thread.replied, thread.trashed, thread.restored.',
    pattern: '^[a-z][a-z-]*(\\.[a-z][a-z-]*)+$',
    maxLength: 64,
  })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z][a-z-]*(\.[a-z][a-z-]*)+$/, { message: 'action must look like thread.read' })
  @MaxLength(64)
  action?: string;

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
  @ApiProperty() threadId!: string;
  @ApiProperty() occurredAt!: string;
  @ApiProperty({ type: AccessSourceDto }) source!: AccessSourceDto;
  @ApiProperty() correlationId!: string;
  @ApiProperty({ example: '/services/inbox-projection' }) recordedBy!: string;
}

export class AccessRecordsPageDto {
  @ApiProperty({ type: [AccessRecordDto] }) records!: AccessRecordDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
