import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsDefined,
  IsIn,
  IsNumber,
  IsObject,
  IsString,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  MAX_CLOSED_DATES,
  MAX_OPENINGS,
  MAX_TIME_ZONE_LENGTH,
  WEEKDAYS,
  type Weekday,
} from '../domain/business-hours.js';
import {
  ACKNOWLEDGEMENT_WHEN,
  ASSIGNMENT_MODES,
  ASSIGNMENT_OFF,
  MAX_ACKNOWLEDGEMENT_LENGTH,
  MAX_ASSIGNMENT_CAPACITY,
  MAX_DURATION_SECONDS,
  type AcknowledgementWhen,
  type AssignmentMode,
  type GroupWorkflow,
} from '../domain/group-workflow.js';

/*
 * The validators check shapes and types (every setting present, null for
 * none, but for `assignment`, which may be left out; unknown fields refused,
 * as every body here); the domain (group-workflow.ts, business-hours.ts)
 * decides the values, so that each rule is in one place and has its own code. The validators' bounds only
 * keep bodies small; the domain's, documented here, are tighter.
 */

/** Required, and null or a value the following validators check. */
const RequiredOrNull = () => ValidateIf((_dto: object, value: unknown) => value !== null);

/** May be left out; if given (null too), a value the following validators check. */
const OmittedOrGiven = () => ValidateIf((_dto: object, value: unknown) => value !== undefined);

const FINITE = { allowNaN: false, allowInfinity: false } as const;

const SECONDS = {
  type: 'integer',
  nullable: true,
  minimum: 1,
  maximum: MAX_DURATION_SECONDS,
} as const;

const HH_MM = '^([01][0-9]|2[0-3]):[0-5][0-9]$';

export class OpeningDto {
  @ApiProperty({ enum: WEEKDAYS })
  @IsIn(WEEKDAYS)
  day!: Weekday;

  @ApiProperty({ pattern: HH_MM, example: '08:30', description: '24-hour local time.' })
  @IsString()
  @MaxLength(5)
  opens!: string;

  @ApiProperty({
    pattern: `${HH_MM}|^24:00$`,
    example: '17:00',
    description:
      "After opens (opening-closes-before-opens); '24:00' for open until midnight. Not within another opening of the day (openings-overlap).",
  })
  @IsString()
  @MaxLength(5)
  closes!: string;
}

export class BusinessHoursDto {
  @ApiProperty({
    minLength: 1,
    maxLength: MAX_TIME_ZONE_LENGTH,
    example: 'America/New_York',
    description: 'An IANA time zone, spelled as IANA does (unknown-time-zone).',
  })
  @IsString()
  @MaxLength(MAX_TIME_ZONE_LENGTH)
  timeZone!: string;

  @ApiProperty({
    type: [OpeningDto],
    minItems: 1,
    maxItems: MAX_OPENINGS,
    description: `Openings in local wall time: at least one (business-hours-never-open), at most ${MAX_OPENINGS} (too-many-openings), times 'HH:MM' (invalid-time-of-day).`,
  })
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => OpeningDto)
  weekly!: OpeningDto[];

  @ApiProperty({
    type: 'array',
    items: { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', format: 'date' },
    maxItems: MAX_CLOSED_DATES,
    uniqueItems: true,
    example: ['2026-12-25'],
    description: `Local dates closed all day: real dates YYYY-MM-DD (invalid-closed-date), each once (duplicate-closed-date), at most ${MAX_CLOSED_DATES} (too-many-closed-dates).`,
  })
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @MaxLength(10, { each: true })
  closedDates!: string[];
}

export class AcknowledgementDto {
  @ApiProperty({
    enum: ACKNOWLEDGEMENT_WHEN,
    description:
      'outside-business-hours needs business hours (acknowledgement-needs-business-hours).',
  })
  @IsIn(ACKNOWLEDGEMENT_WHEN)
  when!: AcknowledgementWhen;

  @ApiProperty({
    maxLength: 4000,
    description: `Sent to the patient: trimmed, 1–${MAX_ACKNOWLEDGEMENT_LENGTH} characters (acknowledgement-text-required, acknowledgement-text-too-long), no control characters, not even line breaks (acknowledgement-text-invalid-characters). At most 4000 characters with the surrounding blanks.`,
  })
  @IsString()
  @MaxLength(4000)
  text!: string;
}

const ASSIGNMENT_MEANING =
  "Automatic assignment of the group's waiting unassigned threads, oldest first: round-robin takes the group's Users (for a care-team group, the patient's in-house care team) in turn; least-loaded gives it to the one with the fewest open assigned threads in the group (ties in turn). It skips deactivated and ineligible members and those at capacity (open = assigned, Not Replied, not in Trash); when nobody is available the thread waits in the queue until someone is. Admins can still assign by hand.";

export class AssignmentDto {
  @ApiProperty({
    enum: ASSIGNMENT_MODES,
    description: 'off: assignment by hand only; round-robin or least-loaded: automatic.',
  })
  @IsIn(ASSIGNMENT_MODES)
  mode!: AssignmentMode;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    minimum: 1,
    maximum: MAX_ASSIGNMENT_CAPACITY,
    description: `The most open assigned threads a member takes automatically: a whole number from 1 to ${MAX_ASSIGNMENT_CAPACITY} (capacity-out-of-range); null: no limit. With mode off it is null (capacity-needs-automatic-assignment).`,
  })
  @RequiredOrNull()
  @IsDefined()
  @IsNumber(FINITE)
  capacity!: number | null;
}

/** PUT /message-groups/:groupId/workflow: every setting, null meaning none; `assignment` left out: off. */
export class GroupWorkflowDto {
  @ApiProperty({
    ...SECONDS,
    description:
      'First-response target, whole seconds of business time (response-target-out-of-range); null: none.',
  })
  @RequiredOrNull()
  @IsDefined()
  @IsNumber(FINITE)
  responseTargetSeconds!: number | null;

  @ApiProperty({ type: BusinessHoursDto, nullable: true, description: 'null: always open.' })
  @RequiredOrNull()
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => BusinessHoursDto)
  businessHours!: BusinessHoursDto | null;

  @ApiProperty({
    type: AcknowledgementDto,
    nullable: true,
    description: 'null: no automatic acknowledgement.',
  })
  @RequiredOrNull()
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => AcknowledgementDto)
  acknowledgement!: AcknowledgementDto | null;

  @ApiProperty({
    ...SECONDS,
    description:
      'Whole seconds of business time an assignee may stay silent before the thread returns to the queue (return-to-queue-out-of-range); null: never.',
  })
  @RequiredOrNull()
  @IsDefined()
  @IsNumber(FINITE)
  returnToQueueSeconds!: number | null;

  @ApiProperty({
    type: AssignmentDto,
    required: false,
    description: `${ASSIGNMENT_MEANING} Both fields when given; left out: { mode: 'off', capacity: null }.`,
  })
  @OmittedOrGiven()
  @IsObject()
  @ValidateNested()
  @Type(() => AssignmentDto)
  assignment?: AssignmentDto;
}

export class GroupWorkflowViewDto {
  @ApiProperty(SECONDS) responseTargetSeconds!: number | null;
  @ApiProperty({ type: BusinessHoursDto, nullable: true }) businessHours!: BusinessHoursDto | null;
  @ApiProperty({ type: AcknowledgementDto, nullable: true })
  acknowledgement!: AcknowledgementDto | null;
  @ApiProperty(SECONDS) returnToQueueSeconds!: number | null;
  @ApiProperty({ type: AssignmentDto, description: ASSIGNMENT_MEANING })
  assignment!: AssignmentDto;
  @ApiProperty({
    type: 'integer',
    minimum: 0,
    description: '0: never set (the defaults). Send it back in If-Match to guard an edit.',
  })
  version!: number;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'null: never set.',
  })
  changedAt!: string | null;
}

/** The body as the domain takes it (only the known fields, copied). */
export const toWorkflowDraft = (dto: GroupWorkflowDto): GroupWorkflow => ({
  responseTargetSeconds: dto.responseTargetSeconds,
  businessHours: dto.businessHours && {
    timeZone: dto.businessHours.timeZone,
    weekly: dto.businessHours.weekly.map(({ day, opens, closes }) => ({ day, opens, closes })),
    closedDates: [...dto.businessHours.closedDates],
  },
  acknowledgement: dto.acknowledgement && {
    when: dto.acknowledgement.when,
    text: dto.acknowledgement.text,
  },
  returnToQueueSeconds: dto.returnToQueueSeconds,
  assignment: dto.assignment
    ? { mode: dto.assignment.mode, capacity: dto.assignment.capacity }
    : { ...ASSIGNMENT_OFF },
});
