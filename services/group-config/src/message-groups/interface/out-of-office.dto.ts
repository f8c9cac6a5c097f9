import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsDefined,
  IsString,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { MAX_PERIOD_DAYS, MAX_PERIODS, type OutOfOfficeDraft } from '../domain/out-of-office.js';
import { DIRECTORY_ID } from './message-group.dto.js';

/*
 * The validators check shapes and types (every field present, the cover null
 * for none; unknown fields refused, as every body here); the domain
 * (out-of-office.ts) decides the values, so that each rule is in one place
 * and has its own code. The validators' bounds only keep bodies small; the
 * domain's, documented here, are tighter.
 */

/** Required, and null or a value the following validators check. */
const RequiredOrNull = () => ValidateIf((_dto: object, value: unknown) => value !== null);

const INSTANT = { type: String, format: 'date-time', maxLength: 64 } as const;

export class OutOfOfficePeriodDto {
  @ApiProperty({
    ...INSTANT,
    example: '2027-01-04T08:00:00-05:00',
    description:
      'RFC 3339 with seconds and an offset (invalid-date-time); stored in UTC to the millisecond.',
  })
  @IsString()
  @MaxLength(64)
  startsAt!: string;

  @ApiProperty({
    ...INSTANT,
    example: '2027-01-15T18:00:00-05:00',
    description: `After startsAt (period-ends-before-start), not past already (period-already-ended), at most ${MAX_PERIOD_DAYS} days after startsAt (period-too-long); invalid-date-time as startsAt.`,
  })
  @IsString()
  @MaxLength(64)
  endsAt!: string;

  @ApiProperty({
    ...DIRECTORY_ID,
    nullable: true,
    example: 'mbr_carol',
    description:
      'Who covers: an active member of the practice sharing a message group with the member (cover-not-in-group), not deactivated (cover-inactive), not the member (cover-is-self); null: nobody.',
  })
  @RequiredOrNull()
  @IsDefined()
  @IsString()
  // The directory's id rule, as the document says: '' would reach the lookups.
  @Matches(new RegExp(DIRECTORY_ID.pattern))
  coverMemberId!: string | null;
}

/** PUT /members/:memberId/out-of-office: every period, replacing those stored. */
export class OutOfOfficeDto {
  @ApiProperty({
    type: [OutOfOfficePeriodDto],
    maxItems: MAX_PERIODS,
    description: `Current and future periods in any order, answered by start: at most ${MAX_PERIODS} (too-many-periods), none overlapping (periods-overlap; one may start the instant another ends). [] clears them.`,
  })
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => OutOfOfficePeriodDto)
  periods!: OutOfOfficePeriodDto[];
}

export class OutOfOfficePeriodViewDto {
  @ApiProperty({
    type: String,
    example: 'ooo_0b6f7c1e-3f0a-4a39-9d55-5d1f3c9a2e10',
    description: 'Kept across replacements while the start, end and cover stay the same.',
  })
  periodId!: string;
  @ApiProperty({ ...INSTANT, example: '2027-01-04T13:00:00.000Z', description: 'UTC.' })
  startsAt!: string;
  @ApiProperty({ ...INSTANT, example: '2027-01-15T23:00:00.000Z', description: 'UTC.' })
  endsAt!: string;
  @ApiProperty({ ...DIRECTORY_ID, nullable: true, description: 'null: nobody covers.' })
  coverMemberId!: string | null;
}

export class OutOfOfficeViewDto {
  @ApiProperty(DIRECTORY_ID) memberId!: string;
  @ApiProperty({
    type: [OutOfOfficePeriodViewDto],
    maxItems: MAX_PERIODS,
    description: 'Current and future periods, ordered by start (a period drops out as it ends).',
  })
  periods!: OutOfOfficePeriodViewDto[];
  @ApiProperty({
    type: 'integer',
    minimum: 0,
    description: '0: never set (no periods). Send it back in If-Match to guard an edit.',
  })
  version!: number;
}

/** The body as the domain takes it (only the known fields, copied). */
export const toOutOfOfficeDrafts = (dto: OutOfOfficeDto): OutOfOfficeDraft[] =>
  dto.periods.map(({ startsAt, endsAt, coverMemberId }) => ({ startsAt, endsAt, coverMemberId }));
