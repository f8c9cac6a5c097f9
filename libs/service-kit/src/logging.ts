import { trace } from '@opentelemetry/api';
import type { Params } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Paths pino removes from every log line. Message subjects and bodies are
 * PHI; tokens are secrets. Request and response bodies are never logged.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.body',
  'res.body',
  '*.body',
  '*.subject',
  '*.data.body',
  '*.data.subject',
  'body',
  'subject',
];

export function loggingParams(serviceName: string, level: string): Params {
  return {
    pinoHttp: {
      level,
      base: { service: serviceName },
      // Every line written inside a span names it, so logs and traces join up.
      mixin: () => {
        const span = trace.getActiveSpan()?.spanContext();
        return span ? { trace_id: span.traceId, span_id: span.spanId } : {};
      },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      genReqId: (request: IncomingMessage) => {
        const given = request.headers['x-correlation-id'];
        return typeof given === 'string' && /^[\w-]{1,100}$/.test(given) ? given : randomUUID();
      },
      customProps: (request: IncomingMessage) => ({
        correlationId: (request as { id?: unknown }).id,
      }),
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          // Query strings can carry search terms (patient names): path only.
          url: req.url?.split('?')[0],
        }),
      },
      autoLogging: {
        ignore: (request: IncomingMessage) => request.url?.startsWith('/health') ?? false,
      },
    },
  };
}
