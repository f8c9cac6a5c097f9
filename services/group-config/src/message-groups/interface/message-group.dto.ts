import type { MessageGroupDraft } from '../domain/message-group.js';
import { ApiProperty, type SchemaObject } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH } from '../domain/group-name.js';
import { MAX_GROUP_MEMBERS } from '../domain/message-group.js';

/*
 * The request body's OpenAPI schema is written out below rather than derived
 * from the decorators: it must say what the validators and the domain
 * refuse together (the members a recipient mode takes, trimming, unknown
 * fields refused), which property decorators cannot. JSON Schema lengths
 * count code points, as the domain does. The validators stay the
 * authority; message-group.dto.spec.ts checks that the two agree.
 */

/** What String.prototype.trim removes (WhiteSpace and LineTerminator): a name is stored trimmed. */
const TRIMMED =
  '\\t\\n\\u000B\\f\\r \\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000\\uFEFF';
/**
 * Never in client text (request-guards.ts): NUL. Lone surrogates are refused
 * too, but a pattern cannot name them (most validators read text as code
 * points, where a lone surrogate does not occur).
 */
const NEVER = '\\u0000';
/** Refused in a name (group-name.ts): control characters and bidi overrides and isolates. */
const MISLEADING = '\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069';

/**
 * Blanks on either side, then a trimmed text of 1 to `max` characters that
 * starts and ends with something other than a blank. `refused` may not occur
 * in the trimmed text; `optional` also takes blanks only (stored as '').
 */
const trimmedText = (max: number, refused: string, optional = false) => {
  const edge = `[^${TRIMMED}${refused}]`;
  const text = `${edge}(?:[^${refused}]{0,${max - 2}}${edge})?`;
  return `^[${TRIMMED}]*${optional ? `(?:${text})?` : text}[${TRIMMED}]*$`;
};

/** Ids of the directory (practice-directory takes no other form), so nothing else is ever found. */
export const DIRECTORY_ID = { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,128}$' } as const;

const GROUP_FIELDS: Record<string, SchemaObject> = {
  name: {
    type: 'string',
    maxLength: 300,
    pattern: trimmedText(MAX_NAME_LENGTH, MISLEADING),
    example: 'Referrals Team',
    description:
      'Trimmed, 1–100 characters, no control characters or text-direction overrides, unique in the practice ignoring case, spaces and invisible characters (group-name-required, group-name-too-long, group-name-invalid-characters, group-name-taken). At most 300 characters with the surrounding blanks.',
  },
  description: {
    type: 'string',
    nullable: true,
    maxLength: 2000,
    pattern: trimmedText(MAX_DESCRIPTION_LENGTH, NEVER, true),
    example: 'Referrals to specialists and their follow-up',
    description:
      'Shown to patients when they compose a message; trimmed, up to 500 characters (group-description-too-long). null or absent: none. At most 2000 characters with the surrounding blanks.',
  },
  facilityId: {
    ...DIRECTORY_ID,
    nullable: true,
    description:
      'null or absent: All Facilities; else an active facility of the practice (unknown-facility).',
  },
  patientCategoryId: {
    ...DIRECTORY_ID,
    nullable: true,
    description:
      'null or absent: All Patients; else the one active patient category allowed (unknown-patient-category).',
  },
};

const member = (privileges: string[]): SchemaObject => ({
  type: 'object',
  additionalProperties: false,
  required: ['memberId', 'privilege'],
  properties: {
    memberId: { ...DIRECTORY_ID, example: 'mbr_alice' },
    privilege: {
      type: 'string',
      enum: privileges,
      description:
        'admin: sees every message of the group, assigns and reassigns, replies. user: sees and answers only what is assigned to them.',
    },
  },
});

const MEMBERS = {
  type: 'array',
  minItems: 1,
  maxItems: MAX_GROUP_MEMBERS,
  uniqueItems: true,
} as const;

const group = (recipientMode: string, description: string, members: SchemaObject) => ({
  type: 'object',
  additionalProperties: false,
  required: ['name', 'recipientMode', 'members'],
  properties: {
    ...GROUP_FIELDS,
    recipientMode: { type: 'string', enum: [recipientMode], description },
    members,
  },
});

/** Settings > Messages > Message Groups, "+ Group" and edit: one schema per recipient mode. */
export const MESSAGE_GROUP_SCHEMA: SchemaObject = {
  oneOf: [
    group('specific-members', 'The listed Admins and Users receive messages.', {
      ...MEMBERS,
      items: member(['admin', 'user']),
      // At least one Admin: not every member a User.
      not: { items: { properties: { privilege: { enum: ['user'] } } } },
      description:
        '1–10 active members of the practice, each once, at least one Admin (too-many-members, duplicate-member, group-needs-admin, unknown-member, member-inactive).',
    }),
    group(
      'care-team',
      "The patient's in-house care team receives messages; members lists the group Admins only.",
      {
        ...MEMBERS,
        items: member(['admin']),
        description:
          '1–10 active members of the practice, each once, all Admins (care-team-group-admins-only, too-many-members, duplicate-member, unknown-member, member-inactive).',
      },
    ),
  ],
};

export class GroupMemberDto {
  @IsString()
  @MaxLength(128)
  memberId!: string;

  @IsIn(['admin', 'user'])
  privilege!: 'admin' | 'user';
}

/** The body's validators; its documented schema is MESSAGE_GROUP_SCHEMA. */
export class MessageGroupDto {
  @IsString()
  @MaxLength(300)
  name!: string;

  // null is taken as absent (IsOptional), and documented so.
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  @IsOptional()
  @ValidateIf((dto: MessageGroupDto) => dto.facilityId !== null)
  @IsString()
  @MaxLength(128)
  facilityId?: string | null;

  @IsOptional()
  @ValidateIf((dto: MessageGroupDto) => dto.patientCategoryId !== null)
  @IsString()
  @MaxLength(128)
  patientCategoryId?: string | null;

  @IsIn(['specific-members', 'care-team'])
  recipientMode!: 'specific-members' | 'care-team';

  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => GroupMemberDto)
  members!: GroupMemberDto[];
}

/** Group ids are made here (`grp_` and a UUID): any other id is never found. */
export const GROUP_ID_PATTERN =
  '^grp_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

const VERSION = { type: 'integer', minimum: 1 } as const;

export class GroupWrittenDto {
  @ApiProperty({ pattern: GROUP_ID_PATTERN }) groupId!: string;
  @ApiProperty({
    ...VERSION,
    description: 'The version now stored; send it back in If-Match to guard an edit.',
  })
  version!: number;
}

class GroupMemberViewDto {
  @ApiProperty({ example: 'mbr_alice' }) memberId!: string;
  @ApiProperty({ enum: ['admin', 'user'] }) privilege!: 'admin' | 'user';
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'null when the directory does not know the member.',
  })
  displayName!: string | null;
  @ApiProperty({ description: 'false once the member is deactivated in the directory.' })
  active!: boolean;
}

export class MessageGroupViewDto {
  @ApiProperty({ pattern: GROUP_ID_PATTERN }) groupId!: string;
  @ApiProperty({ description: 'Trimmed, 1–100 characters.' }) name!: string;
  @ApiProperty({ description: "Trimmed, up to 500 characters; '' when none." })
  description!: string;
  @ApiProperty({ nullable: true, type: String, description: 'null: All Facilities.' })
  facilityId!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'null: All Patients.' })
  patientCategoryId!: string | null;
  @ApiProperty({ enum: ['specific-members', 'care-team'] }) recipientMode!: string;
  @ApiProperty({ type: [GroupMemberViewDto] }) members!: GroupMemberViewDto[];
  @ApiProperty({
    description:
      'All Admins are deactivated: patients cannot pick the group until an Admin is set.',
  })
  needsAdmin!: boolean;
  @ApiProperty(VERSION) version!: number;
}

/** The body as the domain takes it (defaults filled in, members without extra fields). */
export const toDraft = (dto: MessageGroupDto): MessageGroupDraft => ({
  name: dto.name,
  description: dto.description ?? '',
  facilityId: dto.facilityId ?? null,
  patientCategoryId: dto.patientCategoryId ?? null,
  recipientMode: dto.recipientMode,
  members: dto.members.map(({ memberId, privilege }) => ({ memberId, privilege })),
});
