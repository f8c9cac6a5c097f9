import { Body, Controller, Headers, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiHeader,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Actors, CurrentCaller, type Caller } from '@gm/auth';
import { CorrelationId } from '@gm/service-kit';
import type { Request, Response } from 'express';
import { FollowUpCommand } from '../application/follow-up/follow-up.command.js';
import type { SendOutcome } from '../application/patient-sends.js';
import { SendRateLimited } from '../application/send-errors.js';
import { StartThreadCommand } from '../application/start-thread/start-thread.command.js';
import type { Recipient } from '../domain/recipient-policy.js';
import {
  FollowUpDto,
  MessageAcceptedDto,
  RecipientDto,
  StartThreadDto,
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
  @ApiAcceptedResponse({ type: MessageAcceptedDto })
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
    );
    return answer(this.commands.execute(command), response);
  }

  @Post(':threadId/messages')
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Follow up in your own thread (same subject and recipient; the thread is Not Replied again).',
  })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiAcceptedResponse({ type: MessageAcceptedDto })
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
