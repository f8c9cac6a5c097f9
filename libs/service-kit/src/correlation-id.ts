import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';

/** The request's correlation id (given in `x-correlation-id` or made by the logger), carried into events. */
export const CorrelationId = createParamDecorator(
  (_: unknown, context: ExecutionContext): string => {
    const request = context.switchToHttp().getRequest<{ id?: unknown }>();
    return typeof request.id === 'string' && request.id ? request.id : randomUUID();
  },
);
