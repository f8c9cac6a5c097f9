import { ApiProperty } from '@nestjs/swagger';
import { MAX_REPLY_BODY_LENGTH } from '@gm/contracts';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsObject,
  IsString,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  MAX_QUICK_REPLIES,
  MAX_QUICK_REPLY_TITLE_LENGTH,
  type QuickReplyDraft,
} from '../domain/quick-replies.js';
import { GROUP_ID_PATTERN } from './message-group.dto.js';

/*
 * The validators check shapes and types (title and text present, an id if
 * given of the form this service gives; unknown fields refused, as every body
 * here); the domain (quick-replies.ts) decides the values, so that each rule
 * is in one place and has its own code. The validators' bounds only keep
 * bodies small; the domain's, documented here, are tighter.
 */

/** The ids this service gives templates: `qr_` and a UUID. */
export const QUICK_REPLY_ID_PATTERN =
  '^qr_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

/** May be left out; if given (null too), a value the following validators check. */
const OmittedOrGiven = () => ValidateIf((_dto: object, value: unknown) => value !== undefined);

const TITLE = {
  type: String,
  minLength: 1,
  maxLength: 400,
  example: 'Statement corrected',
  description: `What members pick the template by: trimmed, 1–${MAX_QUICK_REPLY_TITLE_LENGTH} characters, no control characters or text-direction overrides (invalid-quick-reply-title); unique in the group ignoring case, spaces and invisible characters (duplicate-quick-reply-title). At most 400 characters with the surrounding blanks.`,
} as const;

const TEXT = {
  type: String,
  minLength: 1,
  maxLength: MAX_REPLY_BODY_LENGTH,
  example: 'Your statement has been corrected; the new one is in the mail.',
  description: `What is inserted into the reply, kept as written, under a reply's rules: something other than white space, no control characters but tab and line breaks (invalid-quick-reply-text), at most ${MAX_REPLY_BODY_LENGTH} characters, Unicode code points (quick-reply-too-long).`,
} as const;

export class QuickReplyDto {
  @ApiProperty({
    type: String,
    pattern: QUICK_REPLY_ID_PATTERN,
    required: false,
    description:
      "A template of the group's, as answered: it keeps its id (unknown-quick-reply if the group has none of that id; duplicate-quick-reply-id if sent twice). Left out: a new template, which gets a new id, unless the group has one of the same title and text that no other template of the list is sent with, whose id it keeps.",
  })
  @OmittedOrGiven()
  @IsString()
  @Matches(new RegExp(QUICK_REPLY_ID_PATTERN))
  quickReplyId?: string;

  @ApiProperty(TITLE)
  @IsString()
  @MaxLength(400)
  title!: string;

  @ApiProperty(TEXT)
  @IsString()
  text!: string;
}

/** PUT /message-groups/:groupId/quick-replies: every template, in the order members see them. */
export class QuickRepliesDto {
  @ApiProperty({
    type: [QuickReplyDto],
    maxItems: MAX_QUICK_REPLIES,
    description: `Every template of the group, in the order members see them: at most ${MAX_QUICK_REPLIES} (too-many-quick-replies). [] removes them all.`,
  })
  @IsArray()
  @ArrayMaxSize(2 * MAX_QUICK_REPLIES)
  // ValidateNested lets an array in place of a template through (its items are validated instead).
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => QuickReplyDto)
  quickReplies!: QuickReplyDto[];
}

export class QuickReplyViewDto {
  @ApiProperty({
    type: String,
    pattern: QUICK_REPLY_ID_PATTERN,
    example: 'qr_0b6f7c1e-3f0a-4a39-9d55-5d1f3c9a2e10',
    description: 'Kept across replacements that send it back.',
  })
  quickReplyId!: string;
  @ApiProperty({ ...TITLE, maxLength: MAX_QUICK_REPLY_TITLE_LENGTH, description: 'Trimmed.' })
  title!: string;
  @ApiProperty({ ...TEXT, description: 'As written.' })
  text!: string;
}

export class QuickRepliesViewDto {
  @ApiProperty({ type: String, pattern: GROUP_ID_PATTERN }) groupId!: string;
  @ApiProperty({
    type: 'integer',
    minimum: 0,
    description: '0: never set (no templates). Send it back in If-Match to guard an edit.',
  })
  version!: number;
  @ApiProperty({
    type: [QuickReplyViewDto],
    maxItems: MAX_QUICK_REPLIES,
    description: "In the Admins' order.",
  })
  quickReplies!: QuickReplyViewDto[];
}

/** The body as the domain takes it (only the known fields, copied). */
export const toQuickReplyDrafts = (dto: QuickRepliesDto): QuickReplyDraft[] =>
  dto.quickReplies.map(({ quickReplyId, title, text }) =>
    quickReplyId === undefined ? { title, text } : { quickReplyId, title, text },
  );
