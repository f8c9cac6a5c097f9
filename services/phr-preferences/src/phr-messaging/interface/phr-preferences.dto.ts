import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsString, MaxLength } from 'class-validator';

/** Settings > PHR Settings > Preferences (Message/Documents and Patient Message Preferences). */
export class PhrPreferencesDto {
  @ApiProperty({
    description: '"Allow patients to send messages from PHR". No: nothing can be sent.',
  })
  @IsBoolean()
  allowPatientMessages!: boolean;

  @ApiProperty({
    enum: ['groups-only', 'members-only', 'groups-and-members'],
    description: 'Which recipients patients are offered: groups, individual members, or both.',
  })
  @IsIn(['groups-only', 'members-only', 'groups-and-members'])
  patientMessagePreference!: 'groups-only' | 'members-only' | 'groups-and-members';

  @ApiProperty({
    enum: ['all-members', 'care-team'],
    description:
      "With members included: all practice members, or the patient's in-house care team only.",
  })
  @IsIn(['all-members', 'care-team'])
  memberRecipients!: 'all-members' | 'care-team';

  @ApiProperty({
    type: 'array',
    items: { type: 'string', maxLength: 128 },
    maxItems: 1000,
    description:
      'Members never offered to patients; each must be a member of the practice (unknown-member).',
  })
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @MaxLength(128, { each: true })
  excludedMemberIds!: string[];
}

export class PhrPreferencesViewDto extends PhrPreferencesDto {
  @ApiProperty({
    type: 'integer',
    minimum: 0,
    description: '0 while the practice has never saved its settings (defaults apply).',
  })
  version!: number;
}

export class PhrPreferencesWrittenDto {
  @ApiProperty({ type: 'integer', minimum: 1 }) version!: number;
}
