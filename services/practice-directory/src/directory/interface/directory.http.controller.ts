import {
  Body,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Put,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Actors, CurrentCaller, type Caller } from '@gm/auth';
import { ApiProblems, CorrelationId } from '@gm/service-kit';
import { ImportPracticeBundleCommand } from '../application/import-practice-bundle/import-practice-bundle.command.js';
import { UpsertDirectoryEntryCommand } from '../application/upsert-directory-entry/upsert-directory-entry.command.js';
import {
  DIRECTORY_KINDS,
  type DirectoryKind,
  type DirectoryRecords,
} from '../domain/directory-records.js';
import { checkId } from '../domain/directory-rules.js';
import { DirectoryEntriesRepository } from '../infrastructure/directory-entries.repository.js';
import {
  FacilityDto,
  ImportResultDto,
  MemberDto,
  PatientCategoryDto,
  PatientDto,
  PracticeBundleDto,
  PracticeDto,
  RoleDto,
  WriteResultDto,
} from './directory.dto.js';

/**
 * The directory's write API, for the practice's system feed (in production,
 * the EHR). The practice is always the token's; ids in paths are the
 * entities' own.
 */
@ApiTags('directory')
@ApiBearerAuth()
@Actors('system')
@Controller('directory')
export class DirectoryHttpController {
  constructor(
    private readonly commands: CommandBus,
    private readonly entries: DirectoryEntriesRepository,
  ) {}

  @Post('import')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Import a whole practice bundle; checked as a whole before anything is written.',
  })
  @ApiOkResponse({ type: ImportResultDto })
  async importBundle(
    @CurrentCaller() caller: Caller,
    @Body() dto: PracticeBundleDto,
    @CorrelationId() correlationId: string,
  ): Promise<ImportResultDto> {
    const practiceId = caller.practiceId;
    const result = await this.commands.execute(
      new ImportPracticeBundleCommand(
        {
          practice: { practiceId, ...dto.practice },
          facilities: (dto.facilities ?? []).map(({ id, ...f }) => ({
            practiceId,
            facilityId: id,
            name: f.name,
            active: f.active ?? true,
          })),
          patientCategories: (dto.patientCategories ?? []).map(({ id, ...c }) => ({
            practiceId,
            categoryId: id,
            name: c.name,
            active: c.active ?? true,
          })),
          roles: (dto.roles ?? []).map(({ id, ...r }) => ({
            practiceId,
            roleId: id,
            name: r.name,
            privileges: r.privileges,
          })),
          members: (dto.members ?? []).map(({ id, ...m }) => ({
            practiceId,
            memberId: id,
            displayName: m.displayName,
            roleId: m.roleId,
            active: m.active ?? true,
          })),
          patients: (dto.patients ?? []).map(({ id, ...p }) => patientRecord(practiceId, id, p)),
        },
        correlationId,
      ),
    );
    return { written: result.written, unchanged: result.unchanged };
  }

  @Put('practice')
  @ApiOperation({ summary: "The caller's practice: name and subscription plan." })
  @ApiOkResponse({ type: WriteResultDto })
  putPractice(
    @CurrentCaller() caller: Caller,
    @Body() dto: PracticeDto,
    @CorrelationId() correlationId: string,
  ) {
    return this.upsert(
      'practice',
      { practiceId: caller.practiceId, name: dto.name, plan: dto.plan },
      correlationId,
    );
  }

  @Put('facilities/:facilityId')
  @ApiOkResponse({ type: WriteResultDto })
  putFacility(
    @CurrentCaller() caller: Caller,
    @Param('facilityId') facilityId: string,
    @Body() dto: FacilityDto,
    @CorrelationId() correlationId: string,
  ) {
    const record = {
      practiceId: caller.practiceId,
      facilityId,
      name: dto.name,
      active: dto.active ?? true,
    };
    return this.upsert('facility', record, correlationId);
  }

  @Put('patient-categories/:categoryId')
  @ApiOkResponse({ type: WriteResultDto })
  putPatientCategory(
    @CurrentCaller() caller: Caller,
    @Param('categoryId') categoryId: string,
    @Body() dto: PatientCategoryDto,
    @CorrelationId() correlationId: string,
  ) {
    const record = {
      practiceId: caller.practiceId,
      categoryId,
      name: dto.name,
      active: dto.active ?? true,
    };
    return this.upsert('patient-category', record, correlationId);
  }

  @Put('roles/:roleId')
  @ApiOkResponse({ type: WriteResultDto })
  putRole(
    @CurrentCaller() caller: Caller,
    @Param('roleId') roleId: string,
    @Body() dto: RoleDto,
    @CorrelationId() correlationId: string,
  ) {
    const record = {
      practiceId: caller.practiceId,
      roleId,
      name: dto.name,
      privileges: dto.privileges,
    };
    return this.upsert('role', record, correlationId);
  }

  @Put('members/:memberId')
  @ApiOperation({ summary: 'Create or change a member; `active: false` deactivates.' })
  @ApiOkResponse({ type: WriteResultDto })
  putMember(
    @CurrentCaller() caller: Caller,
    @Param('memberId') memberId: string,
    @Body() dto: MemberDto,
    @CorrelationId() correlationId: string,
  ) {
    const record = {
      practiceId: caller.practiceId,
      memberId,
      displayName: dto.displayName,
      roleId: dto.roleId,
      active: dto.active ?? true,
    };
    return this.upsert('member', record, correlationId);
  }

  @Put('patients/:patientId')
  @ApiOperation({
    summary: 'Create or change a patient: facility, categories, in-house care team.',
  })
  @ApiOkResponse({ type: WriteResultDto })
  putPatient(
    @CurrentCaller() caller: Caller,
    @Param('patientId') patientId: string,
    @Body() dto: PatientDto,
    @CorrelationId() correlationId: string,
  ) {
    return this.upsert('patient', patientRecord(caller.practiceId, patientId, dto), correlationId);
  }

  @Get(':kind/:id')
  @ApiOperation({
    summary:
      "One stored entry of the caller's practice (kind: practice, facility, patient-category, role, member, patient).",
  })
  @ApiParam({ name: 'kind', enum: DIRECTORY_KINDS })
  @ApiOkResponse({
    description:
      "The entry's stored state (the fields of its kind's PUT body, with its id) and version.",
    schema: {
      type: 'object',
      required: ['version'],
      properties: { version: { type: 'integer', minimum: 1 } },
      additionalProperties: true,
    },
  })
  @ApiProblems({ 404: '`not-found`: no such kind, or no such entry in your practice.' })
  async get(@CurrentCaller() caller: Caller, @Param('kind') kind: string, @Param('id') id: string) {
    if (!isKind(kind)) throw new NotFoundException(`no directory kind ${kind}`);
    const entry = await this.entries.find(kind, caller.practiceId, checkId('id', id));
    if (!entry) throw new NotFoundException(`no ${kind} ${id}`);
    return { ...entry.state, version: entry.version };
  }

  private upsert<K extends DirectoryKind>(
    kind: K,
    record: DirectoryRecords[K],
    correlationId: string,
  ) {
    return this.commands.execute(new UpsertDirectoryEntryCommand(kind, record, correlationId));
  }
}

const KINDS: readonly string[] = [
  'practice',
  'facility',
  'patient-category',
  'role',
  'member',
  'patient',
];
const isKind = (kind: string): kind is DirectoryKind => KINDS.includes(kind);

function patientRecord(
  practiceId: string,
  patientId: string,
  dto: PatientDto,
): DirectoryRecords['patient'] {
  return {
    practiceId,
    patientId,
    displayName: dto.displayName,
    facilityId: dto.facilityId,
    categoryIds: dto.categoryIds,
    careTeamMemberIds: dto.careTeamMemberIds,
    active: dto.active ?? true,
  };
}
