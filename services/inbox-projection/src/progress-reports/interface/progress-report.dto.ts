import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';

export const REPORT_FORMATS = ['json', 'csv'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const PERIOD_END =
  'An ISO 8601 date-time with a time zone (`2026-11-01T00:00:00Z`); anything else is 422 `invalid-period`.';

export class ProgressReportQueryDto {
  @ApiPropertyOptional({
    description: `Start of the period (inclusive). Default: a week before \`to\`. ${PERIOD_END}`,
    format: 'date-time',
    maxLength: 40,
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  from?: string;

  @ApiPropertyOptional({
    description: `End of the period (exclusive). Default: now. At most 366 days after \`from\`. ${PERIOD_END}`,
    format: 'date-time',
    maxLength: 40,
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  to?: string;

  @ApiPropertyOptional({
    enum: REPORT_FORMATS,
    description: 'json (default) or csv; without it, `Accept: text/csv` asks for CSV.',
  })
  @IsOptional()
  @IsIn(REPORT_FORMATS)
  format?: ReportFormat;
}
