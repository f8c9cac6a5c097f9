import type { EventEnvelope } from '@gm/contracts';
import {
  context,
  createContextKey,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Link,
  type Span,
} from '@opentelemetry/api';

/**
 * Traces across Kafka (ADR 0020): an HTTP write's events carry the W3C trace
 * context of the span that wrote them (`ce_traceparent`, the CloudEvents
 * distributed-tracing extension); the relay publishes each event in a
 * producer span of that trace and stamps the producer span's context on the
 * record; a consumer applies each event in a consumer span whose parent it
 * reads from the record, so that what the handler writes continues the same
 * trace. Spans carry ids and names of the plumbing only, never event data.
 */
export const tracer = () => trace.getTracer('@gm/messaging');

type TraceCarrier = Pick<EventEnvelope, 'traceparent' | 'tracestate'>;

/** The W3C trace context of `ctx` (the active context by default), as envelope fields. */
export function traceContextOf(ctx: Context = context.active()): TraceCarrier {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier.traceparent
    ? {
        traceparent: carrier.traceparent,
        ...(carrier.tracestate ? { tracestate: carrier.tracestate } : {}),
      }
    : {};
}

/** The context an envelope's trace fields name, as a remote parent. */
export function contextFrom(carrier: TraceCarrier): Context {
  if (!carrier.traceparent) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, {
    traceparent: carrier.traceparent,
    ...(carrier.tracestate ? { tracestate: carrier.tracestate } : {}),
  });
}

const CAUSES = createContextKey('gm.consumed-event-spans');

/**
 * The trace an event written now belongs to: inside a batch of consumed
 * events, the consumer span of the event that caused it (its causation id);
 * otherwise the active span's.
 */
export function traceContextForEvent(causationId: string | undefined): TraceCarrier {
  const active = context.active();
  const causes = active.getValue(CAUSES) as Map<string, Context> | undefined;
  const cause = causationId ? causes?.get(causationId) : undefined;
  return traceContextOf(cause ?? active);
}

const messagingAttributes = (topic: string, group: string, envelope?: EventEnvelope) => ({
  'messaging.system': 'kafka',
  'messaging.operation.type': 'process',
  'messaging.destination.name': topic,
  'messaging.consumer.group.name': group,
  ...(envelope
    ? { 'messaging.message.id': envelope.id, 'cloudevents.event_type': envelope.type }
    : {}),
});

/** A consumer span for one consumed event, continuing the trace the event carries. */
const startConsumerSpan = (envelope: EventEnvelope, topic: string, group: string): Span =>
  tracer().startSpan(
    `process ${topic}`,
    { kind: SpanKind.CONSUMER, attributes: messagingAttributes(topic, group, envelope) },
    contextFrom(envelope),
  );

/** Runs `work` (one consumed event's handling) in a consumer span continuing the event's trace. */
export async function inConsumerSpan<T>(
  envelope: EventEnvelope,
  topic: string,
  group: string,
  work: () => Promise<T>,
): Promise<T> {
  const span = startConsumerSpan(envelope, topic, group);
  return endAfter(span, context.with(trace.setSpan(context.active(), span), work));
}

/**
 * Runs `work` (a batch handler) in a batch span linked to each event's
 * trace, with one consumer span per event; what the handler writes for an
 * event (its causation id) continues that event's trace.
 */
export async function inBatchSpans<T>(
  envelopes: EventEnvelope[],
  topic: string,
  group: string,
  work: () => Promise<T>,
): Promise<T> {
  const spans = envelopes.map((envelope) => startConsumerSpan(envelope, topic, group));
  const causes = new Map(
    envelopes.map((envelope, i) => [envelope.id, trace.setSpan(ROOT_CONTEXT, spans[i]!)]),
  );
  const links: Link[] = spans.map((span) => ({ context: span.spanContext() }));
  const batch = tracer().startSpan(
    `process ${topic} batch`,
    {
      kind: SpanKind.CONSUMER,
      links,
      attributes: {
        ...messagingAttributes(topic, group),
        'messaging.batch.message_count': envelopes.length,
      },
    },
    ROOT_CONTEXT,
  );
  const ctx = trace.setSpan(ROOT_CONTEXT, batch).setValue(CAUSES, causes);
  try {
    return await endAfter(batch, context.with(ctx, work));
  } catch (error) {
    for (const span of spans) failed(span, error);
    throw error;
  } finally {
    for (const span of spans) span.end();
  }
}

/** Starts a producer span for one event being published, in the trace the event carries. */
export function startPublishSpan(
  topic: string,
  eventId: string,
  type: string,
  carrier: TraceCarrier,
): Span {
  return tracer().startSpan(
    `publish ${topic}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.destination.name': topic,
        'messaging.message.id': eventId,
        'cloudevents.event_type': type,
      },
    },
    contextFrom(carrier),
  );
}

async function endAfter<T>(span: Span, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    failed(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** Marks a span failed by its error's name only: a message could quote event data. */
export function failed(span: Span, error: unknown): void {
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.name : 'error',
  });
}
