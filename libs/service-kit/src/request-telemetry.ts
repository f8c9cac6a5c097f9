import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { NextFunction, Request, Response } from 'express';
import { registeredOnce } from '@gm/messaging';
import { Histogram, register } from 'prom-client';

const httpDuration = registeredOnce(
  'gm_http_request_duration_seconds',
  () =>
    new Histogram({
      name: 'gm_http_request_duration_seconds',
      help: 'HTTP requests by method, route template and status code: count, errors and latency.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
);

/** Methods as labels; anything else a client sends counts as `other` (bounded labels). */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * The route template that answered (`/v1/groups/:groupId`), never the path
 * itself: paths carry ids, which would make unbounded label values.
 */
const routeOf = (request: Request): string =>
  request.route?.path ? `${request.baseUrl}${String(request.route.path)}` : 'unmatched';

const quiet = (path: string) =>
  path === '/metrics' || path === '/health' || path.startsWith('/health/');

/**
 * One server span and one latency observation per request (ADR 0020). The
 * span continues the caller's W3C `traceparent`; what the request writes
 * (outbox events) carries this span's context on. Neither the query string
 * (search terms) nor any body goes into spans or labels. A live feed's
 * stream is not a request latency and is left out of the histogram.
 */
export function requestTelemetry(request: Request, response: Response, next: NextFunction): void {
  const path = request.path;
  const method = METHODS.has(request.method) ? request.method : 'other';
  const parent = propagation.extract(ROOT_CONTEXT, request.headers);
  const span = quiet(path)
    ? undefined
    : trace.getTracer('@gm/service-kit').startSpan(
        method,
        {
          kind: SpanKind.SERVER,
          attributes: {
            'http.request.method': method,
            'url.path': path,
            'url.scheme': request.protocol,
          },
        },
        parent,
      );
  const started = performance.now();
  response.once('close', () => {
    const route = routeOf(request);
    const status = response.statusCode;
    if (span) {
      span.updateName(`${method} ${route}`);
      span.setAttribute('http.route', route);
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    if (String(response.getHeader('content-type') ?? '').startsWith('text/event-stream')) return;
    httpDuration.observe(
      { method, route, status: String(status) },
      (performance.now() - started) / 1000,
    );
  });
  if (!span) return next();
  context.with(trace.setSpan(parent, span), next);
}

/** `GET /metrics`: the process's registry in Prometheus' text format. */
export async function metricsEndpoint(_request: Request, response: Response): Promise<void> {
  response.setHeader('Content-Type', register.contentType);
  response.setHeader('Cache-Control', 'no-store');
  response.end(await register.metrics());
}
