import {
  Controller,
  Get,
  HttpCode,
  Inject,
  Injectable,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
  Param,
  Post,
  Query,
  Sse,
  type MessageEvent,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { Origin, type RequestOrigin } from '@gm/access-recording';
import { Actors, CurrentCaller, OperatorOnly, type Caller, type RequestWithCaller } from '@gm/auth';
import { ApiProblems, ConsistencyReads, CorrelationId } from '@gm/service-kit';
import { map, type Observable } from 'rxjs';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ListDirectThreadsQuery } from '../application/list-direct-threads/list-direct-threads.query.js';
import { ListGroupThreadsQuery } from '../application/list-group-threads/list-group-threads.query.js';
import { ListMailboxQuery } from '../application/list-mailbox/list-mailbox.query.js';
import { ListMyGroupsQuery } from '../application/list-my-groups/list-my-groups.query.js';
import { OpenMemberThreadCommand } from '../application/open-member-thread/open-member-thread.command.js';
import { OpenPatientThreadCommand } from '../application/open-patient-thread/open-patient-thread.command.js';
import { RecordListingCommand } from '../application/record-listing/record-listing.command.js';
import { LiveFeed } from '../application/live-feed/live-feed.js';
import { InboxRebuild } from '../application/rebuild-projection/inbox-rebuild.js';
import type { PageRequest } from '../domain/paging.js';
import {
  GroupThreadsQueryDto,
  MailboxQueryDto,
  MemberThreadQueryDto,
  PATH_ID,
  PatientThreadQueryDto,
} from './inbox.dto.js';
import {
  INBOX_PAGE,
  MAILBOX_PAGE,
  MEMBER_THREAD,
  MY_GROUPS,
  PATIENT_THREAD,
  REBUILD_STATUS,
} from './inbox.responses.js';
import { withKeepAlive } from './keep-alive.js';

const DEFAULT_LIMIT = 25;

const pageOf = (query: { cursor?: string; limit?: number; q?: string }): PageRequest => ({
  cursor: query.cursor,
  limit: query.limit ?? DEFAULT_LIMIT,
  q: query.q,
});

/** A listing shows subjects: recorded (ADR 0013) after it is read and before it is answered. */
const LISTING_UNAVAILABLE =
  '`access-audit-unavailable` (the listing could not be recorded, so nothing was served), or a store this service needs is unavailable.';

const idsOn = (page: { threads: { threadId: string }[] }) => page.threads.map((t) => t.threadId);

/** Members' inboxes: only what the caller may open; anything else is 404 thread-not-found. */
@ApiTags('inbox')
@ApiBearerAuth()
@Actors('member')
@Controller('inbox')
export class MemberInboxHttpController {
  constructor(
    private readonly queries: QueryBus,
    private readonly commands: CommandBus,
  ) {}

  @Get('groups')
  @ApiOperation({
    summary:
      "My groups (Admin or User; care-team groups where I am on a patient's care team), with the Admin tag, counts per status and of overdue threads, and my unread count; and my direct messages' counts.",
  })
  @ApiOkResponse({ schema: MY_GROUPS })
  groups(@CurrentCaller() caller: Caller) {
    return this.queries.execute(new ListMyGroupsQuery(caller));
  }

  @Get('groups/:groupId/threads')
  @ApiOperation({ summary: "A group's threads I may see, newest activity first." })
  @ApiOkResponse({ schema: INBOX_PAGE })
  @ApiProblems({
    404: '`group-not-found`: no such group, or none of its threads is mine to see.',
    422: '`validation-failed` (with `errors`), `invalid-cursor`: a cursor this service did not issue.',
    503: LISTING_UNAVAILABLE,
  })
  @ApiParam({ name: 'groupId', schema: PATH_ID })
  async groupThreads(
    @CurrentCaller() caller: Caller,
    @Param('groupId') groupId: string,
    @Query() query: GroupThreadsQueryDto,
    @CorrelationId() correlationId: string,
    @Origin() origin: RequestOrigin,
  ) {
    const filter = query.filter ?? 'all';
    const page = await this.queries.execute(
      new ListGroupThreadsQuery(caller, groupId, filter, pageOf(query)),
    );
    await this.commands.execute(
      new RecordListingCommand(
        caller,
        { view: 'group-threads', groupId, filter, searched: Boolean(query.q) },
        idsOn(page),
        { correlationId, origin },
      ),
    );
    return page;
  }

  @Get('direct')
  @ApiOperation({ summary: 'Patient messages addressed to me personally.' })
  @ApiOkResponse({ schema: INBOX_PAGE })
  @ApiProblems({
    422: '`validation-failed` (with `errors`), `invalid-cursor`: a cursor this service did not issue.',
    503: LISTING_UNAVAILABLE,
  })
  async direct(
    @CurrentCaller() caller: Caller,
    @Query() query: GroupThreadsQueryDto,
    @CorrelationId() correlationId: string,
    @Origin() origin: RequestOrigin,
  ) {
    const filter = query.filter ?? 'all';
    const page = await this.queries.execute(
      new ListDirectThreadsQuery(caller, filter, pageOf(query)),
    );
    await this.commands.execute(
      new RecordListingCommand(
        caller,
        { view: 'direct-threads', groupId: null, filter, searched: Boolean(query.q) },
        idsOn(page),
        { correlationId, origin },
      ),
    );
    return page;
  }

  @Get('threads/:threadId')
  @ApiOperation({
    summary:
      'A thread as I may see it (the timeline for Admins and the addressee); opening it marks it read for me.',
  })
  @ApiOkResponse({ schema: MEMBER_THREAD })
  @ApiProblems({
    404: '`thread-not-found`: no such thread, or not mine to open.',
    503: '`not-yet-consistent` (`after`, or the tokens sent, not reached within the wait: retry after `Retry-After`), `access-audit-unavailable` (the read could not be recorded, so nothing was served), or a store this service needs is unavailable.',
  })
  @ApiParam({ name: 'threadId', schema: PATH_ID })
  thread(
    @CurrentCaller() caller: Caller,
    @Param('threadId') threadId: string,
    @Query() query: MemberThreadQueryDto,
    @CorrelationId() correlationId: string,
    @Origin() origin: RequestOrigin,
  ) {
    return this.commands.execute(
      new OpenMemberThreadCommand(caller, threadId, { correlationId, origin }, query.after),
    );
  }
}

/** The patient mailbox: the caller's own threads; replies show the group's name only. */
@ApiTags('mailbox')
@ApiBearerAuth()
@Actors('patient')
@Controller('mailbox')
export class PatientMailboxHttpController {
  constructor(
    private readonly queries: QueryBus,
    private readonly commands: CommandBus,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'Inbox / Unread (threads with practice replies) or Sent, newest first; search by group name.',
  })
  @ApiOkResponse({ schema: MAILBOX_PAGE })
  @ApiProblems({
    422: '`validation-failed` (with `errors`), `invalid-cursor`: a cursor this service did not issue.',
    503: LISTING_UNAVAILABLE,
  })
  async mailbox(
    @CurrentCaller() caller: Caller,
    @Query() query: MailboxQueryDto,
    @CorrelationId() correlationId: string,
    @Origin() origin: RequestOrigin,
  ) {
    const box = query.box ?? 'inbox';
    const page = await this.queries.execute(new ListMailboxQuery(caller, box, pageOf(query)));
    await this.commands.execute(
      new RecordListingCommand(
        caller,
        { view: 'mailbox', groupId: null, filter: box, searched: Boolean(query.q) },
        idsOn(page),
        { correlationId, origin },
      ),
    );
    return page;
  }

  @Get('threads/:threadId')
  @ApiOperation({ summary: 'One of my threads; opening it marks its replies read.' })
  @ApiOkResponse({ schema: PATIENT_THREAD })
  @ApiProblems({
    404: '`thread-not-found`: no such thread, or not mine.',
    503: '`not-yet-consistent` (`after`, or the tokens sent, not reached within the wait: retry after `Retry-After`), `access-audit-unavailable` (the read could not be recorded, so nothing was served), or a store this service needs is unavailable.',
  })
  @ApiParam({ name: 'threadId', schema: PATH_ID })
  thread(
    @CurrentCaller() caller: Caller,
    @Param('threadId') threadId: string,
    @Query() query: PatientThreadQueryDto,
    @CorrelationId() correlationId: string,
    @Origin() origin: RequestOrigin,
  ) {
    return this.commands.execute(
      new OpenPatientThreadCommand(caller, threadId, { correlationId, origin }, query.after),
    );
  }
}

const OPERATOR_ONLY_PROBLEM =
  '`actor-not-allowed` (system clients only), `operator-only`: a system token without the `gm:operator` scope (ADR 0019).';

/**
 * Refuses a deactivated member's feed before the stream opens (after
 * CallerGuard, a global guard). Guards run before interceptors, so the
 * Consistency-Token a client carries (say, of the write that made it a
 * member) is waited for here, before the directory replica is asked.
 */
@Injectable()
export class ActiveMemberFeedGuard implements CanActivate {
  constructor(
    @Inject(LiveFeed) private readonly feed: LiveFeed,
    @Inject(ConsistencyReads) private readonly reads: ConsistencyReads,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context
      .switchToHttp()
      .getRequest<RequestWithCaller & { headers: Record<string, string | string[] | undefined> }>();
    const caller = request.caller;
    if (!caller) return true;
    await this.reads.awaitTokens(request.headers['consistency-token'], caller.practiceId);
    await this.feed.mayOpen(caller);
    return true;
  }
}

/**
 * Server-Sent Events: `{threadId, kind}` whenever the caller's inbox (or
 * mailbox) changes. No PHI. A deactivated member gets no feed, and an open
 * one ends when the deactivation arrives.
 */
@ApiTags('inbox')
@ApiBearerAuth()
@Actors('member', 'patient')
@Controller('inbox')
export class InboxFeedHttpController {
  constructor(@Inject(LiveFeed) private readonly feed: LiveFeed) {}

  @Sse('events')
  @ApiOperation({
    summary: "A live feed of changes to the caller's inbox (member) or mailbox (patient).",
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description:
      "Server-sent events: `inbox-changed` with `{threadId, kind}` (no PHI) whenever my inbox or mailbox changes (`upserted`, `removed`, `changed`), and to a group's Admins when one of its threads passes its first-response target (`overdue`) or goes back to the queue because its assignee did not reply in time (`returned-to-queue`); `keep-alive` every 25 s. The stream ends when the member is deactivated.",
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  @ApiProblems({
    403: '`actor-not-allowed` (members and patients only), `member-inactive`: the member is deactivated (or not in the directory).',
  })
  @UseGuards(ActiveMemberFeedGuard)
  events(@CurrentCaller() caller: Caller): Observable<MessageEvent> {
    return withKeepAlive(
      this.feed
        .open(caller)
        .pipe(map((signal): MessageEvent => ({ type: 'inbox-changed', data: signal }))),
    );
  }
}

/**
 * Platform operations: rebuild the projection from the event log (every
 * practice's), so only operators' system clients (ADR 0019), never a
 * practice's own EHR client.
 */
@ApiTags('admin')
@ApiBearerAuth()
@OperatorOnly()
@Controller('admin/rebuild')
export class RebuildHttpController {
  constructor(private readonly rebuild: InboxRebuild) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Replay every thread event into a fresh generation, then swap it in; reads go on.',
  })
  @ApiAcceptedResponse({ schema: REBUILD_STATUS })
  @ApiProblems({
    403: OPERATOR_ONLY_PROBLEM,
    409: '`rebuild-running`: a rebuild is already running.',
  })
  start() {
    return this.rebuild.start();
  }

  @Get()
  @ApiOperation({ summary: 'State of the last rebuild.' })
  @ApiOkResponse({ schema: REBUILD_STATUS })
  @ApiProblems({ 403: OPERATOR_ONLY_PROBLEM })
  status() {
    return this.rebuild.status();
  }
}
