import {
  Body,
  Controller,
  Delete,
  HttpCode,
  Inject,
  Injectable,
  Param,
  Put,
  Sse,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
  type MessageEvent,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { requestOriginOf, type OriginSource } from '@gm/access-recording';
import { Actors, CurrentCaller, type Caller, type RequestWithCaller } from '@gm/auth';
import { ApiProblems, ConsistencyReads } from '@gm/service-kit';
import { randomUUID } from 'node:crypto';
import { map, type Observable } from 'rxjs';
import { LeaveThreadCommand } from '../application/leave-thread/leave-thread.command.js';
import { SignalPresenceCommand } from '../application/signal-presence/signal-presence.command.js';
import { WatchPresence } from '../application/watch-presence/watch-presence.js';
import { PATH_ID } from './inbox.dto.js';
import { withKeepAlive } from './keep-alive.js';
import { PresenceDto } from './presence.dto.js';

type PresenceRequest = RequestWithCaller &
  OriginSource & { id?: unknown; params: Record<string, string> };

/**
 * Checks and audits a presence watch before the stream opens (after
 * CallerGuard). The Consistency-Token a client carries (say, of the write
 * that put the thread in their inbox) is waited for first.
 */
@Injectable()
export class PresenceWatchGuard implements CanActivate {
  constructor(
    @Inject(WatchPresence) private readonly presence: WatchPresence,
    @Inject(ConsistencyReads) private readonly reads: ConsistencyReads,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<PresenceRequest>();
    const caller = request.caller;
    if (!caller) return true;
    await this.reads.awaitTokens(request.headers['consistency-token'], caller.practiceId);
    await this.presence.mayWatch(caller, request.params.threadId!, {
      correlationId: typeof request.id === 'string' && request.id ? request.id : randomUUID(),
      origin: requestOriginOf(request),
    });
    return true;
  }
}

/**
 * Who else is working a thread: members of its audience viewing it or
 * writing a reply, live. Staff-only (patients: 403), no PHI; anyone outside
 * the thread's audience gets 404 thread-not-found.
 */
@ApiTags('presence')
@ApiBearerAuth()
@ApiParam({ name: 'threadId', schema: PATH_ID })
@Actors('member')
@Controller('inbox/threads')
export class PresenceHttpController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(WatchPresence) private readonly presence: WatchPresence,
  ) {}

  @Put(':threadId/presence')
  @HttpCode(204)
  @ApiOperation({
    summary:
      "I am viewing the thread, or writing a reply (a heartbeat: send it at least every 10 s while it holds). The thread's other watchers learn of it at once.",
  })
  @ApiNoContentResponse({ description: 'Kept.' })
  @ApiProblems({
    404: '`thread-not-found`: no such thread, or not mine to open.',
    422: '`validation-failed` (with `errors`).',
  })
  signal(
    @CurrentCaller() caller: Caller,
    @Param('threadId') threadId: string,
    @Body() dto: PresenceDto,
  ): Promise<void> {
    return this.commands.execute(new SignalPresenceCommand(caller, threadId, dto.activity));
  }

  @Delete(':threadId/presence')
  @HttpCode(204)
  @ApiOperation({
    summary: "I closed the thread: the thread's other watchers learn of it at once.",
  })
  @ApiNoContentResponse({ description: 'Gone (or was not there).' })
  leave(@CurrentCaller() caller: Caller, @Param('threadId') threadId: string): Promise<void> {
    return this.commands.execute(new LeaveThreadCommand(caller, threadId));
  }

  @Sse(':threadId/presence')
  @ApiOperation({
    summary:
      'A live feed of who else is viewing the thread or writing a reply (audited as `thread.presence.read` when it opens).',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description:
      "Server-sent events: `presence` with `{threadId, present: [{memberId, displayName, activity, since}]}` (everyone but me; no PHI) when the stream opens and whenever it changes: at once when a colleague starts, changes or stops, within 30 s when a colleague's client disappears; `keep-alive` every 25 s. The stream ends when I leave the thread's audience or am deactivated.",
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  @ApiProblems({
    404: '`thread-not-found`: no such thread, or not mine to open.',
    503: '`access-audit-unavailable` (the watch could not be recorded, so nothing was served), `not-yet-consistent`, or a store this service needs is unavailable.',
  })
  @UseGuards(PresenceWatchGuard)
  watch(
    @CurrentCaller() caller: Caller,
    @Param('threadId') threadId: string,
  ): Observable<MessageEvent> {
    return withKeepAlive(
      this.presence
        .watch(caller, threadId)
        .pipe(map((view): MessageEvent => ({ type: 'presence', data: view }))),
    );
  }
}
