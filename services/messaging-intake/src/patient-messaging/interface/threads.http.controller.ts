import { requestOriginOf } from '@gm/access-recording';
import { Body, Controller, Headers, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiHeader,
  ApiOperation,
  ApiParam,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Actors, CurrentCaller, type Caller } from '@gm/auth';
import { ApiProblems, CorrelationId } from '@gm/service-kit';
import type { Request, Response } from 'express';
import { FollowUpCommand } from '../application/follow-up/follow-up.command.js';
import type { SendOutcome } from '../application/patient-sends.js';
import { SendRateLimited } from '../application/send-errors.js';
import { StartThreadCommand } from '../application/start-thread/start-thread.command.js';
import type { Recipient } from '../domain/recipient-policy.js';
import {
  FOLLOW_UP_SCHEMA,
  FollowUpDto,
  MessageAcceptedDto,
  RecipientDto,
  START_THREAD_SCHEMA,
  StartThreadDto,
  THREAD_ID_PATTERN,
} from './patient-messaging.dto.js';
import { sendRequest } from './send-request.js';

const toRecipient = (dto: RecipientDto): Recipient =>
  dto.kind === 'group'
    ? { kind: 'group', groupId: dto.groupId as string }
    : { kind: 'member', memberId: dto.memberId as string };

const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description:
    '1–100 of A-Z a-z 0-9 _ -. A retry with the same key and body gets the same 202 and writes nothing new (for 24 h); the same key with another body is 422 idempotency-key-reused; while the first is running, 409 request-in-progress.',
  schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,100}$' },
};

/** What a send may be refused with, besides what every route may answer. */
const SEND_PROBLEMS = {
  403: 'Not open to the caller: `actor-not-allowed` (patients only), `messaging-disabled`, `patient-unknown`, `patient-inactive`, or `recipient-not-available` (not on your To list now).',
  409: '`request-in-progress` (the same Idempotency-Key is being sent), `thread-changed-meanwhile`.',
};
const SEND_RULES =
  'A parameter or the body breaks a rule: `validation-failed` (with `errors`), `invalid-text`, `invalid-subject`, `invalid-body`, `invalid-idempotency-key`, or `idempotency-key-reused` (the key was used for another request).';

/** The per-patient send limit: 429 with the seconds to wait. */
const RateLimited = () =>
  ApiResponse({
    status: 429,
    description:
      '`rate-limited`: over the per-patient send limit; `Retry-After` says when to try again.',
    headers: {
      'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer', minimum: 1 } },
    },
  });

/** What a 202 carries besides its body. */
const ACCEPTED_HEADERS = {
  Location: { description: 'The thread: `/threads/{threadId}`.', schema: { type: 'string' } },
  'Idempotent-Replayed': {
    description: '`true` when this answers an earlier request with the same Idempotency-Key.',
    schema: { type: 'string', enum: ['true'] },
  },
};

/**
 * Sending, for patients only. Answers 202 once the message and its
 * MessageSent event are durable; the practice side (routing, inboxes) takes
 * it from there. Refusals are problem+json: 403 messaging-disabled,
 * patient-unknown, patient-inactive, recipient-not-available; 404
 * thread-not-found; 409 request-in-progress, thread-changed-meanwhile; 422
 * invalid-subject, invalid-body, validation-failed, invalid-idempotency-key,
 * idempotency-key-reused; 429 rate-limited with Retry-After.
 */
@ApiTags('patient messaging')
@ApiBearerAuth()
@Actors('patient')
@Controller('threads')
export class ThreadsHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send a message to one group or one member of the To list: opens a thread.',
  })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({ schema: START_THREAD_SCHEMA })
  @ApiAcceptedResponse({ type: MessageAcceptedDto, headers: ACCEPTED_HEADERS })
  @ApiProblems({ ...SEND_PROBLEMS, 422: SEND_RULES })
  @RateLimited()
  start(
    @CurrentCaller() caller: Caller,
    @Body() dto: StartThreadDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @CorrelationId() correlationId: string,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<MessageAcceptedDto> {
    const command = new StartThreadCommand(
      caller,
      toRecipient(dto.recipient),
      dto.subject,
      dto.body,
      sendRequest(request, idempotencyKey),
      correlationId,
      requestOriginOf(request),
    );
    return answer(this.commands.execute(command), response);
  }

  @Post(':threadId/messages')
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Follow up in your own thread (same subject and recipient; the thread is Not Replied again).',
  })
  @ApiParam({
    name: 'threadId',
    description: 'One of your threads; any other id is 404 thread-not-found.',
    schema: { type: 'string', pattern: THREAD_ID_PATTERN },
  })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({ schema: FOLLOW_UP_SCHEMA })
  @ApiAcceptedResponse({ type: MessageAcceptedDto, headers: ACCEPTED_HEADERS })
  @RateLimited()
  @ApiProblems({
    ...SEND_PROBLEMS,
    404: '`thread-not-found`: not one of your threads.',
    422: SEND_RULES,
  })
  followUp(
    @CurrentCaller() caller: Caller,
    @Param('threadId') threadId: string,
    @Body() dto: FollowUpDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @CorrelationId() correlationId: string,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<MessageAcceptedDto> {
    const command = new FollowUpCommand(
      caller,
      threadId,
      dto.body,
      sendRequest(request, idempotencyKey),
      correlationId,
      requestOriginOf(request),
    );
    return answer(this.commands.execute(command), response);
  }
}

async function answer(
  sending: Promise<SendOutcome>,
  response: Response,
): Promise<MessageAcceptedDto> {
  try {
    const { accepted, replayed } = await sending;
    response.location(`/threads/${encodeURIComponent(accepted.threadId)}`);
    if (replayed) response.setHeader('Idempotent-Replayed', 'true');
    return { threadId: accepted.threadId, messageId: accepted.messageId };
  } catch (error) {
    if (error instanceof SendRateLimited)
      response.setHeader('Retry-After', String(error.retryAfterSeconds));
    throw error;
  }
}
