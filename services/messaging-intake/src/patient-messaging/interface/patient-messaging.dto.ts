import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
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

export class RecipientDto {
  @ApiProperty({ enum: ['group', 'member'] })
  @IsIn(['group', 'member'])
  kind!: 'group' | 'member';

  @ApiPropertyOptional({ description: 'With kind group: a group of the To list.' })
  @ValidateIf((dto: RecipientDto) => dto.kind === 'group' || dto.groupId !== undefined)
  @OnlyForKind('group')
  @IsString()
  @Length(1, 128)
  groupId?: string;

  @ApiPropertyOptional({ description: 'With kind member: a member of the To list.' })
  @ValidateIf((dto: RecipientDto) => dto.kind === 'member' || dto.memberId !== undefined)
  @OnlyForKind('member')
  @IsString()
  @Length(1, 128)
  memberId?: string;
}

/** Lengths and plain-text rules are the domain's (422 invalid-subject / invalid-body), not checked here. */
export class StartThreadDto {
  @ApiProperty({ type: RecipientDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => RecipientDto)
  recipient!: RecipientDto;

  @ApiProperty({
    description: 'Plain text, one line, 1–200 characters once trimmed (invalid-subject).',
  })
  @IsString()
  subject!: string;

  @ApiProperty({
    description: 'Plain text (line breaks and tabs allowed), 1–20000 characters (invalid-body).',
  })
  @IsString()
  body!: string;
}

export class FollowUpDto {
  @ApiProperty({ description: 'Plain text, 1–20000 characters (invalid-body).' })
  @IsString()
  body!: string;
}

export class MessageAcceptedDto {
  @ApiProperty() threadId!: string;
  @ApiProperty() messageId!: string;
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
