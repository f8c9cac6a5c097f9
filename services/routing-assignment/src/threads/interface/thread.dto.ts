import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { MAX_TEXT_LENGTH } from '../domain/plain-text.js';

/** plainText's rules as a pattern: no C0 control but tab and line breaks, no DEL, some non-space. */
const NOT_CONTROL = '[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]';
const TEXT_PATTERN = `^${NOT_CONTROL}*[^\\s\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]${NOT_CONTROL}*$`;

/**
 * A thread id as a path segment: the URL guard (service-kit request-guards)
 * refuses NUL before routing (400 malformed-url); anything else is looked up.
 */
export const THREAD_ID_PARAM = {
  name: 'threadId',
  schema: { type: 'string', minLength: 1, pattern: '^[^\\u0000]+$' },
} as const;

export class AssignThreadDto {
  @ApiProperty({
    example: 'mbr_alice',
    description:
      "An active member of the group (Admin or User; the Admin themself included); on an In-house Care Team thread, an active member of the patient's care team or an Admin of the group (invalid-assignee).",
    minLength: 1,
    maxLength: 128,
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
      'Plain text, 1–20,000 characters (Unicode code points), something other than white space in it, no control characters but tab and line breaks (invalid-reply, reply-too-long). The patient sees it under the group name.',
    minLength: 1,
    maxLength: MAX_TEXT_LENGTH,
    pattern: TEXT_PATTERN,
  })
  @IsString()
  body!: string;
}

export class NoteDto {
  @ApiProperty({
    example: 'Called the patient back; insurer confirms the claim was resent.',
    description:
      'Plain text, 1–20,000 characters (Unicode code points), something other than white space in it, no control characters but tab and line breaks (invalid-note, note-too-long). Staff-only: the patient never sees it.',
    minLength: 1,
    maxLength: MAX_TEXT_LENGTH,
    pattern: TEXT_PATTERN,
  })
  @IsString()
  body!: string;
}

export class NoteAddedDto {
  @ApiProperty() threadId!: string;
  @ApiProperty() noteId!: string;
  @ApiProperty({ format: 'date-time' }) addedAt!: string;
}

export class ThreadWrittenDto {
  @ApiProperty() threadId!: string;
  @ApiProperty({
    type: 'integer',
    minimum: 1,
    description: "The thread's version after the command (its last event's).",
  })
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
      'note-added',
    ],
  })
  kind!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ type: TimelineActorDto }) actor!: TimelineActorDto;
  @ApiProperty({
    type: 'object',
    additionalProperties: { anyOf: [{ type: 'string', nullable: true }, { type: 'number' }] },
    description: 'Ids only (message, reply, note, assignee, reason); never message or note text.',
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
  @ApiProperty({ type: 'integer', minimum: 1 }) version!: number;
  @ApiProperty({ type: [TimelineEntryDto] }) entries!: TimelineEntryDto[];
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  memberNames!: Record<string, string>;
}
