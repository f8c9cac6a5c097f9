import { Body, Controller, Get, Headers, Put, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actors, CurrentCaller, type Caller } from '@gm/auth';
import { ApiIfMatch, ApiProblems, CorrelationId, parseIfMatch } from '@gm/service-kit';
import type { Response } from 'express';
import { GetPhrPreferencesQuery } from '../application/get-phr-preferences/get-phr-preferences.query.js';
import { UpdatePhrPreferencesCommand } from '../application/update-phr-preferences/update-phr-preferences.command.js';
import {
  PhrPreferencesDto,
  PhrPreferencesViewDto,
  PhrPreferencesWrittenDto,
} from './phr-preferences.dto.js';

/** The caller's practice's PHR messaging settings; needs the Settings > PHR Settings privilege (403 privilege-required). */
@ApiTags('phr preferences')
@ApiBearerAuth()
@Actors('member')
@Controller('phr-preferences')
export class PhrPreferencesHttpController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Current preferences (the defaults, version 0, if never saved).' })
  @ApiOkResponse({ type: PhrPreferencesViewDto })
  async get(@CurrentCaller() caller: Caller, @Res({ passthrough: true }) response: Response) {
    const view = await this.queries.execute(new GetPhrPreferencesQuery(caller));
    response.setHeader('ETag', `"${view.version}"`);
    return view;
  }

  @Put()
  @ApiOperation({ summary: 'Replace the preferences; publishes PhrMessagingPreferencesUpdated.' })
  @ApiIfMatch('The version read; 409 if it moved on.')
  @ApiProblems({
    409: '`preferences-changed-meanwhile`: If-Match names an older version, or another save came first.',
  })
  @ApiOkResponse({ type: PhrPreferencesWrittenDto })
  async put(
    @CurrentCaller() caller: Caller,
    @Body() dto: PhrPreferencesDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<PhrPreferencesWrittenDto> {
    const preferences = {
      allowPatientMessages: dto.allowPatientMessages,
      patientMessagePreference: dto.patientMessagePreference,
      memberRecipients: dto.memberRecipients,
      excludedMemberIds: dto.excludedMemberIds,
    };
    const written = await this.commands.execute(
      new UpdatePhrPreferencesCommand(caller, preferences, parseIfMatch(ifMatch), correlationId),
    );
    response.setHeader('ETag', `"${written.version}"`);
    return written;
  }
}
