import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsOptional,
  IsString,
  Length,
  Matches,
  ValidateIf,
  ValidateNested,
} from 'class-validator';

const ID = /^[A-Za-z0-9_.-]{1,128}$/;
const ID_RULE = "1–128 letters, digits, '_', '.' or '-'";

export class PracticeDto {
  @ApiProperty({ example: 'Riverside Family Practice', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ enum: ['free', 'paid'], description: 'Group messaging needs the paid plan.' })
  @IsIn(['free', 'paid'])
  plan!: 'free' | 'paid';
}

export class FacilityDto {
  @ApiProperty({ example: 'Downtown Clinic', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiPropertyOptional({ default: true, nullable: true, description: 'null counts as true.' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class PatientCategoryDto extends FacilityDto {}

export class RoleDto {
  @ApiProperty({ example: 'Office Manager', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({
    example: ['settings.messages.practice-access', 'settings.phr-settings'],
    description: 'Privilege codes; unknown codes are refused (unknown-privilege).',
  })
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  privileges!: string[];
}

export class MemberDto {
  @ApiProperty({
    example: 'Dr. Alice Moreau',
    description: 'Internal only; never shown to patients.',
  })
  @IsString()
  @Length(1, 200)
  displayName!: string;

  @ApiProperty({ nullable: true, type: String, description: 'A role of this practice, or null.' })
  @ValidateIf((dto: MemberDto) => dto.roleId !== null)
  @IsString()
  @Matches(ID, { message: `roleId must be ${ID_RULE}` })
  roleId!: string | null;

  @ApiPropertyOptional({
    default: true,
    nullable: true,
    description: 'false deactivates the member; null counts as true.',
  })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class PatientDto {
  @ApiProperty({ example: 'Ruth Baker' })
  @IsString()
  @Length(1, 200)
  displayName!: string;

  @ApiProperty({
    nullable: true,
    type: String,
    description: 'A facility of this practice, or null.',
  })
  @ValidateIf((dto: PatientDto) => dto.facilityId !== null)
  @IsString()
  @Matches(ID, { message: `facilityId must be ${ID_RULE}` })
  facilityId!: string | null;

  @ApiProperty({ type: [String], description: 'Patient categories of this practice.' })
  @IsArray()
  @ArrayMaxSize(500)
  @Matches(ID, { each: true, message: `each categoryId must be ${ID_RULE}` })
  categoryIds!: string[];

  @ApiProperty({ type: [String], description: "Members of the patient's in-house care team." })
  @IsArray()
  @ArrayMaxSize(500)
  @Matches(ID, { each: true, message: `each careTeamMemberId must be ${ID_RULE}` })
  careTeamMemberIds!: string[];

  @ApiPropertyOptional({ default: true, nullable: true, description: 'null counts as true.' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class BundleFacilityDto extends FacilityDto {
  @ApiProperty() @IsString() @Matches(ID, { message: `id must be ${ID_RULE}` }) id!: string;
}
export class BundlePatientCategoryDto extends PatientCategoryDto {
  @ApiProperty() @IsString() @Matches(ID, { message: `id must be ${ID_RULE}` }) id!: string;
}
export class BundleRoleDto extends RoleDto {
  @ApiProperty() @IsString() @Matches(ID, { message: `id must be ${ID_RULE}` }) id!: string;
}
export class BundleMemberDto extends MemberDto {
  @ApiProperty() @IsString() @Matches(ID, { message: `id must be ${ID_RULE}` }) id!: string;
}
export class BundlePatientDto extends PatientDto {
  @ApiProperty() @IsString() @Matches(ID, { message: `id must be ${ID_RULE}` }) id!: string;
}

/** A whole practice; every list is optional and bounded. */
export class PracticeBundleDto {
  @ApiProperty({ type: PracticeDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => PracticeDto)
  practice!: PracticeDto;

  @ApiPropertyOptional({ type: [BundleFacilityDto], nullable: true, description: 'null: none.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => BundleFacilityDto)
  facilities?: BundleFacilityDto[];

  @ApiPropertyOptional({
    type: [BundlePatientCategoryDto],
    nullable: true,
    description: 'null: none.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => BundlePatientCategoryDto)
  patientCategories?: BundlePatientCategoryDto[];

  @ApiPropertyOptional({ type: [BundleRoleDto], nullable: true, description: 'null: none.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => BundleRoleDto)
  roles?: BundleRoleDto[];

  @ApiPropertyOptional({ type: [BundleMemberDto], nullable: true, description: 'null: none.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(2000)
  @ValidateNested({ each: true })
  @Type(() => BundleMemberDto)
  members?: BundleMemberDto[];

  @ApiPropertyOptional({ type: [BundlePatientDto], nullable: true, description: 'null: none.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(5000)
  @ValidateNested({ each: true })
  @Type(() => BundlePatientDto)
  patients?: BundlePatientDto[];
}

export class WriteResultDto {
  @ApiProperty({ enum: ['practice', 'facility', 'patient-category', 'role', 'member', 'patient'] })
  kind!: string;
  @ApiProperty() id!: string;
  @ApiProperty({ description: 'Version after the write; grows only when the state changed.' })
  version!: number;
  @ApiProperty({ description: 'false when the entry already had this state (nothing published).' })
  changed!: boolean;
}

export class ImportResultDto {
  @ApiProperty() written!: number;
  @ApiProperty() unchanged!: number;
}
