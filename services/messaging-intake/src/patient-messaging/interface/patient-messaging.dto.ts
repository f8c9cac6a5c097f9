import { ApiProperty, ApiPropertyOptional, type SchemaObject } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsString,
  Length,
  ValidateBy,
  ValidateIf,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import { MAX_BODY_LENGTH, MAX_SUBJECT_LENGTH } from '../domain/message-content.js';

/** A field that belongs to one kind of recipient only: naming both a group and a member is refused. */
const OnlyForKind = (kind: 'group' | 'member', options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'onlyForKind',
      validator: {
        validate: (_value, args) => (args?.object as RecipientDto).kind === kind,
        defaultMessage: (args) => `${args?.property} is only for a recipient of kind ${kind}`,
      },
    },
    options,
  );

/** The recipient's validators; its documented schema is RECIPIENT_SCHEMA. */
export class RecipientDto {
  @IsIn(['group', 'member'])
  kind!: 'group' | 'member';

  @ValidateIf((dto: RecipientDto) => dto.kind === 'group' || dto.groupId !== undefined)
  @OnlyForKind('group')
  @IsString()
  @Length(1, 128)
  groupId?: string;

  @ValidateIf((dto: RecipientDto) => dto.kind === 'member' || dto.memberId !== undefined)
  @OnlyForKind('member')
  @IsString()
  @Length(1, 128)
  memberId?: string;
}

/*
 * The request bodies' OpenAPI schemas are written out rather than derived
 * from the decorators: they must say what the validators and the domain
 * refuse together (one id field per recipient kind, unknown fields, the
 * text rules of message-content.ts), which property decorators cannot.
 * JSON Schema lengths count code points, as the domain does. Lone
 * surrogates are refused too, but no pattern can name them. The validators
 * stay the authority; patient-messaging.dto.spec.ts checks that the two agree.
 */

/** What String.prototype.trim removes (WhiteSpace and LineTerminator). */
const TRIMMED =
  '\\t\\n\\u000B\\f\\r \\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000\\uFEFF';
/** Refused in a subject: every C0 and C1 control character (one line of plain text). */
const SUBJECT_REFUSED = '\\u0000-\\u001F\\u007F-\\u009F';
/** Refused in a body: control characters but tab, line feed and carriage return. */
const BODY_REFUSED = '\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F';

/** Blanks on either side of a trimmed subject of 1–200 characters, which starts and ends with a non-blank. */
const edge = `[^${TRIMMED}${SUBJECT_REFUSED}]`;
const SUBJECT_PATTERN = `^[${TRIMMED}]*${edge}(?:[^${SUBJECT_REFUSED}]{0,${MAX_SUBJECT_LENGTH - 2}}${edge})?[${TRIMMED}]*$`;
/** Kept as written, so only its characters are checked, and one of them is not a blank. */
const BODY_PATTERN = `^[^${BODY_REFUSED}]*[^${TRIMMED}${BODY_REFUSED}][^${BODY_REFUSED}]*$`;

const BODY: SchemaObject = {
  type: 'string',
  maxLength: MAX_BODY_LENGTH,
  pattern: BODY_PATTERN,
  example: 'Could you renew my metformin prescription?',
  description:
    'Plain text, as written (line breaks and tabs allowed, no other control characters), 1–20000 characters, not only blanks (invalid-body).',
};

/** Ids of the directory (practice-directory takes no other form). */
const MEMBER_ID_PATTERN = '^[A-Za-z0-9_.-]{1,128}$';

/** The recipient: a group or a member, each with its own id field only. */
const RECIPIENT_SCHEMA: SchemaObject = {
  example: { kind: 'member', memberId: 'mbr_dan' },
  description:
    'One entry of the To list (GET /recipients); any other is 403 recipient-not-available.',
  oneOf: [
    {
      type: 'object',
      required: ['kind', 'groupId'],
      additionalProperties: false,
      properties: {
        kind: { type: 'string', enum: ['group'] },
        groupId: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[^\\u0000]*$' },
      },
    },
    {
      type: 'object',
      required: ['kind', 'memberId'],
      additionalProperties: false,
      properties: {
        kind: { type: 'string', enum: ['member'] },
        memberId: { type: 'string', pattern: MEMBER_ID_PATTERN },
      },
    },
  ],
};

/** Send Message: the first message to a recipient of the To list, which opens a thread. */
export const START_THREAD_SCHEMA: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['recipient', 'subject', 'body'],
  properties: {
    recipient: RECIPIENT_SCHEMA,
    subject: {
      type: 'string',
      pattern: SUBJECT_PATTERN,
      example: 'Prescription refill',
      description:
        'Plain text, one line (no control characters), 1–200 characters once trimmed (invalid-subject).',
    },
    body: BODY,
  },
};

/** A follow-up in the patient's own thread. */
export const FOLLOW_UP_SCHEMA: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['body'],
  properties: { body: BODY },
};

/** START_THREAD_SCHEMA's validators; the text rules are the domain's (422 invalid-subject / invalid-body). */
export class StartThreadDto {
  @IsDefined()
  @ValidateNested()
  @Type(() => RecipientDto)
  recipient!: RecipientDto;

  @IsString()
  subject!: string;

  @IsString()
  body!: string;
}

/** FOLLOW_UP_SCHEMA's validators. */
export class FollowUpDto {
  @IsString()
  body!: string;
}

/** Made by this service: `thr_` or `msg_` and 32 hex digits (send-ids.ts). */
export const THREAD_ID_PATTERN = '^thr_[0-9a-f]{32}$';

export class MessageAcceptedDto {
  @ApiProperty({ pattern: THREAD_ID_PATTERN }) threadId!: string;
  @ApiProperty({ pattern: '^msg_[0-9a-f]{32}$' }) messageId!: string;
}

class GroupEntryDto {
  @ApiProperty() groupId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'Set by the practice to help patients choose the right group.' })
  description!: string;
}

class MemberEntryDto {
  @ApiProperty() memberId!: string;
  @ApiProperty() displayName!: string;
}

export class RecipientListDto {
  @ApiProperty() canSend!: boolean;

  @ApiPropertyOptional({
    enum: ['messaging-disabled', 'patient-unknown', 'patient-inactive', 'no-recipients'],
    description: 'Why nothing can be sent; absent when canSend is true.',
  })
  reason?: string;

  @ApiProperty({
    type: [GroupEntryDto],
    description: 'Groups by name. A group is shown by its name only, never by its members.',
  })
  groups!: GroupEntryDto[];

  @ApiProperty({ type: [MemberEntryDto] })
  members!: MemberEntryDto[];
}
