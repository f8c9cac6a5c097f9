import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
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

export class GroupMemberDto {
  @ApiProperty({ example: 'mbr_alice' })
  @IsString()
  @MaxLength(128)
  memberId!: string;

  @ApiProperty({
    enum: ['admin', 'user'],
    description:
      'admin: sees every message of the group, assigns and reassigns, replies. user: sees and answers only what is assigned to them.',
  })
  @IsIn(['admin', 'user'])
  privilege!: 'admin' | 'user';
}

/** Settings > Messages > Message Groups, "+ Group" and edit. */
export class MessageGroupDto {
  @ApiProperty({
    example: 'Billing Team',
    description:
      'Trimmed, 1–100 characters, no control characters or text-direction overrides, unique in the practice ignoring case, spaces and invisible characters (group-name-required, group-name-too-long, group-name-invalid-characters, group-name-taken).',
  })
  @IsString()
  @MaxLength(300)
  name!: string;

  @ApiPropertyOptional({
    example: 'Use this group to send your billing-related queries',
    description:
      'Shown to patients when they compose a message; up to 500 characters (group-description-too-long).',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description:
      'null or absent: All Facilities; else a facility of the practice (unknown-facility).',
  })
  @IsOptional()
  @ValidateIf((dto: MessageGroupDto) => dto.facilityId !== null)
  @IsString()
  @MaxLength(128)
  facilityId?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description:
      'null or absent: All Patients; else the one patient category allowed (unknown-patient-category).',
  })
  @IsOptional()
  @ValidateIf((dto: MessageGroupDto) => dto.patientCategoryId !== null)
  @IsString()
  @MaxLength(128)
  patientCategoryId?: string | null;

  @ApiProperty({
    enum: ['specific-members', 'care-team'],
    description:
      "specific-members: the listed Admins and Users receive messages. care-team: the patient's in-house care team receives them; members lists the group Admins only (care-team-group-admins-only).",
  })
  @IsIn(['specific-members', 'care-team'])
  recipientMode!: 'specific-members' | 'care-team';

  @ApiProperty({
    type: [GroupMemberDto],
    description:
      '1–10 active members of the practice, no duplicates, at least one Admin (too-many-members, duplicate-member, group-needs-admin, unknown-member, member-inactive).',
  })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => GroupMemberDto)
  members!: GroupMemberDto[];
}

export class GroupWrittenDto {
  @ApiProperty() groupId!: string;
  @ApiProperty({
    description: 'The version now stored; send it back in If-Match to guard an edit.',
  })
  version!: number;
}

class GroupMemberViewDto extends GroupMemberDto {
  @ApiProperty({ nullable: true, type: String }) displayName!: string | null;
  @ApiProperty({ description: 'false once the member is deactivated in the directory.' })
  active!: boolean;
}

export class MessageGroupViewDto {
  @ApiProperty() groupId!: string;
  @ApiProperty() name!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ nullable: true, type: String }) facilityId!: string | null;
  @ApiProperty({ nullable: true, type: String }) patientCategoryId!: string | null;
  @ApiProperty({ enum: ['specific-members', 'care-team'] }) recipientMode!: string;
  @ApiProperty({ type: [GroupMemberViewDto] }) members!: GroupMemberViewDto[];
  @ApiProperty({
    description:
      'All Admins are deactivated: patients cannot pick the group until an Admin is set.',
  })
  needsAdmin!: boolean;
  @ApiProperty() version!: number;
}
