import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Put,
  Res,
} from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Actors, CurrentCaller, type Caller } from '@gm/auth';
import { CorrelationId, parseIfMatch } from '@gm/service-kit';
import type { Response } from 'express';
import { CreateMessageGroupCommand } from '../application/create-message-group/create-message-group.command.js';
import { DeleteMessageGroupCommand } from '../application/delete-message-group/delete-message-group.command.js';
import { GetMessageGroupQuery } from '../application/get-message-group/get-message-group.query.js';
import { ListMessageGroupsQuery } from '../application/list-message-groups/list-message-groups.query.js';
import { UpdateMessageGroupCommand } from '../application/update-message-group/update-message-group.command.js';
import type { MessageGroupDraft } from '../domain/message-group.js';
import { GroupWrittenDto, MessageGroupDto, MessageGroupViewDto } from './message-group.dto.js';

const toDraft = (dto: MessageGroupDto): MessageGroupDraft => ({
  name: dto.name,
  description: dto.description ?? '',
  facilityId: dto.facilityId ?? null,
  patientCategoryId: dto.patientCategoryId ?? null,
  recipientMode: dto.recipientMode,
  members: dto.members.map(({ memberId, privilege }) => ({ memberId, privilege })),
});

/**
 * Settings > Messages > Message Groups. Every route needs a member with the
 * Settings > Messages > Practice Access privilege (403 privilege-required);
 * groups of other practices are never found (404 group-not-found).
 */
@ApiTags('message groups')
@ApiBearerAuth()
@Actors('member')
@Controller('message-groups')
export class MessageGroupsHttpController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a message group (paid plan only: 402 paid-plan-required).' })
  @ApiCreatedResponse({ type: GroupWrittenDto })
  async create(
    @CurrentCaller() caller: Caller,
    @Body() dto: MessageGroupDto,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<GroupWrittenDto> {
    const written = await this.commands.execute(
      new CreateMessageGroupCommand(caller, toDraft(dto), correlationId),
    );
    response
      .location(`/message-groups/${written.groupId}`)
      .setHeader('ETag', `"${written.version}"`);
    return written;
  }

  @Get()
  @ApiOperation({ summary: "The practice's message groups, by name." })
  @ApiOkResponse({ type: [MessageGroupViewDto] })
  list(@CurrentCaller() caller: Caller) {
    return this.queries.execute(new ListMessageGroupsQuery(caller));
  }

  @Get(':groupId')
  @ApiOkResponse({ type: MessageGroupViewDto })
  async get(
    @CurrentCaller() caller: Caller,
    @Param('groupId') groupId: string,
    @Res({ passthrough: true }) response: Response,
  ) {
    const view = await this.queries.execute(new GetMessageGroupQuery(caller, groupId));
    response.setHeader('ETag', `"${view.version}"`);
    return view;
  }

  @Put(':groupId')
  @ApiOperation({ summary: "Replace a group's configuration under the same rules as creation." })
  @ApiHeader({
    name: 'If-Match',
    required: false,
    description: 'The version read; 409 group-changed-meanwhile if it moved on.',
  })
  @ApiOkResponse({ type: GroupWrittenDto })
  async update(
    @CurrentCaller() caller: Caller,
    @Param('groupId') groupId: string,
    @Body() dto: MessageGroupDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<GroupWrittenDto> {
    const command = new UpdateMessageGroupCommand(
      caller,
      groupId,
      toDraft(dto),
      parseIfMatch(ifMatch),
      correlationId,
    );
    const written = await this.commands.execute(command);
    response.setHeader('ETag', `"${written.version}"`);
    return written;
  }

  @Delete(':groupId')
  @HttpCode(204)
  @ApiNoContentResponse()
  async delete(
    @CurrentCaller() caller: Caller,
    @Param('groupId') groupId: string,
    @CorrelationId() correlationId: string,
  ): Promise<void> {
    await this.commands.execute(new DeleteMessageGroupCommand(caller, groupId, correlationId));
  }
}
