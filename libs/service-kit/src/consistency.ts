import {
  Inject,
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import {
  ConsistencyGate,
  ConsistencyProgress,
  decodeConsistencyTokens,
  encodeConsistencyToken,
  InvalidConsistencyToken,
  runInWrite,
  WriteContext,
} from '@gm/messaging';
import type { NextFunction, Request, Response } from 'express';
import type { Redis } from 'ioredis';
import { defer, switchMap, tap, type Observable } from 'rxjs';
import type { InfrastructureConfig } from './config.js';
import { ProblemException } from './problem.js';
import { INFRASTRUCTURE_CONFIG, REDIS } from './tokens.js';

/** The request and response header (ADR 0018). */
export const CONSISTENCY_TOKEN_HEADER = 'Consistency-Token';
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

type WriteRequest = Request & { gmWrite?: WriteContext; caller?: { practiceId?: string } };

/**
 * Express middleware (after the body is parsed): every request runs in a
 * write context, so the events it produces carry its id and are counted for
 * its token. A read may write too (opening a thread records the access and
 * marks it read).
 */
export function writeContextMiddleware(req: Request, _res: Response, next: NextFunction): void {
  const write = new WriteContext();
  (req as WriteRequest).gmWrite = write;
  runInWrite(write, next);
}

/**
 * What this service has applied of other services' writes. A service with
 * an event consumer says what it consumes (EventConsumerHost); one without
 * (the directory) has only its own writes, which it reads at once.
 */
@Injectable()
export class ConsistencyReads {
  private gate = new ConsistencyGate(undefined, new Set());
  readonly progress: ConsistencyProgress;

  constructor(
    @Inject(REDIS) redis: Redis,
    @Inject(INFRASTRUCTURE_CONFIG) private readonly config: InfrastructureConfig,
  ) {
    this.progress = new ConsistencyProgress(redis, config.kafkaConsumerGroup);
  }

  consumes(topics: string[]): void {
    this.gate = new ConsistencyGate(this.progress, new Set(topics));
  }

  /**
   * Waits (bounded by CONSISTENCY_WAIT_MS) until the header's tokens are
   * reached here. 400 for a token not made for this practice, a malformed
   * one or too many; 503 when the wait runs out.
   */
  async awaitTokens(header: string | string[] | undefined, practiceId: string): Promise<void> {
    let tokens;
    try {
      tokens = decodeConsistencyTokens(this.config.consistency.secret, practiceId, header);
    } catch (error) {
      if (!(error instanceof InvalidConsistencyToken)) throw error;
      throw new ProblemException(400, 'invalid-consistency-token', error.detail);
    }
    if (!tokens.length) return;
    if (!(await this.gate.reached(tokens, this.config.consistency.waitMs))) {
      // Nothing was done: the handler has not run (the filter adds Retry-After to every 503).
      throw new ProblemException(
        503,
        'not-yet-consistent',
        'Your earlier writes have not reached this service yet; nothing was done. Retry shortly with the same tokens.',
      );
    }
  }

  tokenOf(write: WriteContext, practiceId: string): string {
    return encodeConsistencyToken(this.config.consistency.secret, practiceId, {
      writeId: write.writeId,
      issuedAt: write.issuedAt,
      counts: write.eventCounts(),
    });
  }
}

/**
 * Every authenticated request: first waits for the tokens it carries;
 * then answers the token of what it did: always for a write (POST, PUT,
 * DELETE), and for a read that produced events (an audited open).
 */
@Injectable()
export class ConsistencyInterceptor implements NestInterceptor {
  constructor(@Inject(ConsistencyReads) private readonly reads: ConsistencyReads) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<WriteRequest>();
    const response = context.switchToHttp().getResponse<Response>();
    const practiceId = request.caller?.practiceId;
    // Public routes (health, the API documents) have no practice to check a token against.
    if (!practiceId) return next.handle();
    return defer(() =>
      this.reads.awaitTokens(request.headers['consistency-token'], practiceId),
    ).pipe(
      switchMap(() => next.handle()),
      tap(() => {
        const write = request.gmWrite;
        if (!write || response.headersSent) return;
        if (READS.has(request.method) && write.eventCounts().size === 0) return;
        response.setHeader(CONSISTENCY_TOKEN_HEADER, this.reads.tokenOf(write, practiceId));
      }),
    );
  }
}
