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

export class ListAccessRecordsQueryDto {
  @ApiPropertyOptional({ description: 'Only records of this thread.' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  threadId?: string;

  @ApiPropertyOptional({
    description: 'Only records of this actor (member, patient or system id).',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  actorId?: string;

  @ApiPropertyOptional({
    description:
      'Only this action: thread.read, thread.timeline.read, thread.assigned, thread.unassigned, thread.replied, thread.trashed, thread.restored.',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z][a-z-]*(\.[a-z][a-z-]*)+$/, { message: 'action must look like thread.read' })
  @MaxLength(64)
  action?: string;

  @ApiPropertyOptional({
    description: 'Inclusive start, RFC 3339 with a time zone; default 90 days before `to`.',
    example: '2025-03-01T00:00:00Z',
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  from?: string;

  @ApiPropertyOptional({
    description:
      'Inclusive end, RFC 3339 with a time zone; default now. At most 366 days after `from`.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  to?: string;

  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page (nextCursor).' })
  @IsOptional()
  @IsString()
  @MaxLength(400)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
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
