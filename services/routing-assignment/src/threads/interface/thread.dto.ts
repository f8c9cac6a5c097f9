import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

export class AssignThreadDto {
  @ApiProperty({
    example: 'mbr_alice',
    description:
      "An active member of the group (Admin or User; the Admin themself included); on an In-house Care Team thread, an active member of the patient's care team or an Admin of the group (invalid-assignee).",
  })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  assigneeMemberId!: string;
}

export class ReplyDto {
  @ApiProperty({
    example: 'Your statement has been corrected.',
    description:
      'Plain text, 1–20,000 characters, no control characters but tab and line breaks (invalid-reply, reply-too-long). The patient sees it under the group name.',
  })
  @IsString()
  body!: string;
}

export class ThreadWrittenDto {
  @ApiProperty() threadId!: string;
  @ApiProperty({ description: "The thread's version after the command (its last event's)." })
  version!: number;
}

export class ReplyAcceptedDto extends ThreadWrittenDto {
  @ApiProperty() replyId!: string;
}

class TimelineActorDto {
  @ApiProperty({ enum: ['patient', 'member', 'system'] }) kind!: string;
  @ApiProperty({ nullable: true, type: String }) id!: string | null;
  @ApiProperty({ nullable: true, type: String }) displayName!: string | null;
}

class TimelineEntryDto {
  @ApiProperty({
    enum: [
      'sent',
      'routed',
      'assigned',
      'unassigned',
      'replied',
      'trashed',
      'restored',
      'follow-up',
    ],
  })
  kind!: string;
  @ApiProperty() at!: string;
  @ApiProperty({ type: TimelineActorDto }) actor!: TimelineActorDto;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Ids only (message, reply, assignee, reason); never message text.',
  })
  details!: Record<string, unknown>;
}

export class ThreadTimelineDto {
  @ApiProperty() threadId!: string;
  @ApiProperty() patientId!: string;
  @ApiProperty({ enum: ['specific-members', 'care-team', 'direct'] }) routing!: string;
  @ApiProperty({ nullable: true, type: String }) groupId!: string | null;
  @ApiProperty({ enum: ['not-replied', 'replied'] }) status!: string;
  @ApiProperty() trashed!: boolean;
  @ApiProperty({ nullable: true, type: String }) assigneeMemberId!: string | null;
  @ApiProperty() version!: number;
  @ApiProperty({ type: [TimelineEntryDto] }) entries!: TimelineEntryDto[];
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  memberNames!: Record<string, string>;
}
