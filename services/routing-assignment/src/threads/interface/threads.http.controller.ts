import { Body, Controller, Get, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { Origin, type RequestOrigin } from '@gm/access-recording';
import { Actors, CurrentCaller, type Caller } from '@gm/auth';
import { ApiProblems, CorrelationId } from '@gm/service-kit';
import { AddNoteCommand } from '../application/add-note/add-note.command.js';
import { AssignThreadCommand } from '../application/assign-thread/assign-thread.command.js';
import { GetThreadTimelineQuery } from '../application/get-thread-timeline/get-thread-timeline.query.js';
import { ReplyToThreadCommand } from '../application/reply-to-thread/reply-to-thread.command.js';
import { RestoreThreadCommand } from '../application/restore-thread/restore-thread.command.js';
import { TrashThreadCommand } from '../application/trash-thread/trash-thread.command.js';
import { ApiConversationIfMatch, conversationIfMatch } from './conversation-if-match.js';
import {
  AssignThreadDto,
  NoteAddedDto,
  NoteDto,
  ReplyAcceptedDto,
  ReplyDto,
  THREAD_ID_PARAM,
  ThreadTimelineDto,
  ThreadWrittenDto,
} from './thread.dto.js';

/**
 * The practice side of a thread, for members (patients: 403
 * actor-not-allowed). A thread the caller may not see, of another practice,
 * or missing is 404 thread-not-found alike; the group's own members who may
 * see it but not do this get 403 (not-group-admin, reply-not-allowed).
 * Thread state conflicts are 409 (thread-in-trash, already-in-trash,
 * not-in-trash, direct-message-not-assignable).
 */
@ApiTags('threads')
@ApiBearerAuth()
@ApiParam(THREAD_ID_PARAM)
@Actors('member')
@Controller('threads')
export class ThreadsHttpController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post(':threadId/assignment')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Assign or reassign the thread (Admins of the group). The same assignee again changes nothing.',
  })
  @ApiOkResponse({ type: ThreadWrittenDto })
  @ApiProblems({
    403: '`actor-not-allowed` (patients), `privilege-required`, `not-group-admin` (a member of the group who is not its Admin).',
    404: '`thread-not-found`: no such thread, or not one the caller may see.',
    409: '`direct-message-not-assignable`, `thread-in-trash`, `thread-changed-meanwhile`: another change came first; try again.',
    422: "`validation-failed` (with `errors`), `invalid-assignee`: not an active member of the group (or of the patient's care team).",
  })
  assign(
    @CurrentCaller() caller: Caller,
    @Param('threadId') threadId: string,
    @Body() dto: AssignThreadDto,
    @CorrelationId() correlationId: string,
    @Origin() origin: RequestOrigin,
  ): Promise<ThreadWrittenDto> {
    return this.commands.execute(
      new AssignThreadCommand(caller, threadId, dto.assigneeMemberId, correlationId, origin),
    );
  }

  @Post(':threadId/replies')
  @HttpCode(202)
  @ApiOperation({
    summary:
      "Reply to the patient (the group's Admins, the assignee, the patient's care team on care-team threads, the addressee of a direct message). The patient sees the group's name, never the member's.",
  })
  @ApiAcceptedResponse({ type: ReplyAcceptedDto })
  @ApiConversationIfMatch()
  @ApiProblems({
    400: '`invalid-if-match`: If-Match is not a conversation version.',
    403: '`actor-not-allowed` (patients), `privilege-required`, `reply-not-allowed` (a member who sees the thread but may not reply).',
    404: '`thread-not-found`: no such thread, or not one the caller may see.',
    409: '`thread-changed` (If-Match was sent and a patient message or another reply landed since: `changes` lists them, ids and times only; nothing was sent: open the thread again, then reply), `thread-in-trash`, `thread-changed-meanwhile`: another change came first; try again.',
    422: '`validation-failed` (with `errors`), `invalid-reply` (no text, or control characters), `reply-too-long` (over 20,000 characters), `invalid-text`.',
  })
  reply(
    @CurrentCaller() caller: Caller,
    @Param('threadId') threadId: string,
    @Body() dto: ReplyDto,
    @CorrelationId() correlationId: string,
    @Origin() origin: RequestOrigin,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<ReplyAcceptedDto> {
    const seen = conversationIfMatch(ifMatch);
    return this.commands.execute(
      new ReplyToThreadCommand(caller, threadId, dto.body, correlationId, origin, seen),
    );
  }

  @Post(':threadId/notes')
  @HttpCode(201)
  @ApiOperation({
    summary:
      "Add an internal note (whoever may see the thread: the group's Admins, the assignee, the patient's care team on care-team threads, the addressee of a direct message and their cover). Staff-only and append-only; allowed in Trash.",
  })
  @ApiCreatedResponse({ type: NoteAddedDto })
  @ApiProblems({
    403: '`actor-not-allowed` (patients), `privilege-required`.',
    404: "`thread-not-found`: no such thread, or not one the caller may see (the group's other members included).",
    409: '`thread-changed-meanwhile`: another change came first; try again.',
    422: '`validation-failed` (with `errors`), `invalid-note` (no text, or control characters), `note-too-long` (over 20,000 characters), `invalid-text`.',
  })
  addNote(
    @CurrentCaller() caller: Caller,
    @Param('threadId') threadId: string,
    @Body() dto: NoteDto,
    @CorrelationId() correlationId: string,
    @Origin() origin: RequestOrigin,
  ): Promise<NoteAddedDto> {
    return this.commands.execute(
      new AddNoteCommand(caller, threadId, dto.body, correlationId, origin),
    );
  }

  @Post(':threadId/trash')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Move the thread to Trash (Admins of the group; the addressee of a direct message).',
  })
  @ApiOkResponse({ type: ThreadWrittenDto })
  @ApiProblems({
    403: '`actor-not-allowed` (patients), `privilege-required`, `not-group-admin` (a member of the group who is not its Admin).',
    404: '`thread-not-found`: no such thread, or not one the caller may see.',
    409: '`already-in-trash`, `thread-changed-meanwhile`: another change came first; try again.',
  })
  trash(
    @CurrentCaller() caller: Caller,
    @Param('threadId') threadId: string,
    @CorrelationId() correlationId: string,
    @Origin() origin: RequestOrigin,
  ): Promise<ThreadWrittenDto> {
    return this.commands.execute(new TrashThreadCommand(caller, threadId, correlationId, origin));
  }

  @Post(':threadId/restore')
  @HttpCode(200)
  @ApiOperation({ summary: 'Restore the thread from Trash (same members as Trash).' })
  @ApiOkResponse({ type: ThreadWrittenDto })
  @ApiProblems({
    403: '`actor-not-allowed` (patients), `privilege-required`, `not-group-admin` (a member of the group who is not its Admin).',
    404: '`thread-not-found`: no such thread, or not one the caller may see.',
    409: '`not-in-trash`, `thread-changed-meanwhile`: another change came first; try again.',
  })
  restore(
    @CurrentCaller() caller: Caller,
    @Param('threadId') threadId: string,
    @CorrelationId() correlationId: string,
    @Origin() origin: RequestOrigin,
  ): Promise<ThreadWrittenDto> {
    return this.commands.execute(new RestoreThreadCommand(caller, threadId, correlationId, origin));
  }

  @Get(':threadId/timeline')
  @ApiOperation({
    summary:
      "The thread's progress with actors and times, for the group's Admins (the addressee of a direct message). Staff-only: names members.",
  })
  @ApiOkResponse({ type: ThreadTimelineDto })
  @ApiProblems({
    403: '`actor-not-allowed` (patients), `privilege-required`, `not-group-admin` (a member of the group who is not its Admin).',
    404: '`thread-not-found`: no such thread, or not one the caller may see.',
    503: '`access-audit-unavailable` (the read could not be recorded, so nothing was served), `not-yet-consistent`, or a store this service needs is unavailable.',
  })
  timeline(
    @CurrentCaller() caller: Caller,
    @Param('threadId') threadId: string,
    @CorrelationId() correlationId: string,
    @Origin() origin: RequestOrigin,
  ): Promise<ThreadTimelineDto> {
    return this.queries.execute(
      new GetThreadTimelineQuery(caller, threadId, correlationId, origin),
    );
  }
}
