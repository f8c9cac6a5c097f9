import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

class PageQueryDto {
  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page (nextCursor).' })
  @IsOptional()
  @IsString()
  @MaxLength(600)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 25 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

export class GroupThreadsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    enum: ['all', 'not-replied', 'replied', 'trash'],
    default: 'all',
    description: 'All = every thread not in Trash.',
  })
  @IsOptional()
  @IsIn(['all', 'not-replied', 'replied', 'trash'])
  filter?: 'all' | 'not-replied' | 'replied' | 'trash';

  @ApiPropertyOptional({ description: "Part of the patient's name or of the subject." })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}

export class MemberThreadQueryDto {
  @ApiPropertyOptional({
    description:
      "Read-your-writes: a thread version a write returned (routing-assignment's `version`); waits up to 2 s for the projection to reach it.",
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

  @ApiPropertyOptional({ description: 'Part of the group name.' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}

export class PatientThreadQueryDto {
  @ApiPropertyOptional({
    description:
      'Read-your-writes: the messageId a send returned; waits up to 2 s for the projection to show it.',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_:.-]{1,128}$/)
  after?: string;
}
