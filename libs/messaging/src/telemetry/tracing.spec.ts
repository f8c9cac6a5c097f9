import { buildEnvelope, PracticeChangedV1, type EventEnvelope } from '@gm/contracts';
import { context, trace } from '@opentelemetry/api';
import { recordSpans } from '@gm/testing';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { outboxForInsert, type PendingEvent } from '../outbox/outbox-writes.js';
import { inBatchSpans, inConsumerSpan } from './tracing.js';

const exporter = recordSpans();
beforeEach(() => exporter.reset());

function practiceChanged(id: string, causationId?: string, traceparent?: string): PendingEvent {
  const data = {
    practiceId: 'prc_1',
    name: 'Clinic',
    plan: 'paid' as const,
    version: 1,
    changedAt: '2026-01-01T00:00:00.000Z',
  };
  const envelope: EventEnvelope = {
    ...buildEnvelope(PracticeChangedV1, data, {
      id,
      source: '/tests',
      time: data.changedAt,
      practiceId: 'prc_1',
      correlationId: 'corr-1',
      ...(causationId ? { causationId } : {}),
    }),
    ...(traceparent ? { traceparent } : {}),
  };
  return { definition: PracticeChangedV1, envelope };
}

const traceparentOf = (event: PendingEvent): string | undefined =>
  outboxForInsert([event])._outbox[0]!.headers.ce_traceparent;
const traceIdOf = (traceparent: string | undefined) => traceparent?.split('-')[1];
const spanNamed = (name: string): ReadableSpan[] =>
  exporter.getFinishedSpans().filter((span) => span.name === name);

const REMOTE_A = '00-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-1111111111111111-01';
const REMOTE_B = '00-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-2222222222222222-01';

describe('trace context on outbox events', () => {
  it('stamps the active span on an event written inside it', () => {
    const span = trace.getTracer('test').startSpan('POST /v1/things');
    const stamped = context.with(trace.setSpan(context.active(), span), () =>
      traceparentOf(practiceChanged('evt-1')),
    );
    span.end();
    expect(stamped).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
  });

  it('stamps nothing outside any span', () => {
    expect(traceparentOf(practiceChanged('evt-2'))).toBeUndefined();
  });

  it("continues a consumed event's trace in a consumer span", async () => {
    const consumed = practiceChanged('evt-in', undefined, REMOTE_A).envelope;
    const written = await inConsumerSpan(consumed, 'gm.directory.practices', 'group-1', async () =>
      traceparentOf(practiceChanged('evt-out', 'evt-in')),
    );
    const [span] = spanNamed('process gm.directory.practices');
    expect(span!.spanContext().traceId).toBe('a'.repeat(32));
    expect(span!.parentSpanContext?.spanId).toBe('1111111111111111');
    expect(span!.attributes).toMatchObject({
      'messaging.consumer.group.name': 'group-1',
      'messaging.message.id': 'evt-in',
    });
    expect(written).toBe(`00-${'a'.repeat(32)}-${span!.spanContext().spanId}-01`);
  });

  it('in a batch, an event continues the trace of the event that caused it', async () => {
    const a = practiceChanged('evt-a', undefined, REMOTE_A).envelope;
    const b = practiceChanged('evt-b', undefined, REMOTE_B).envelope;
    const written = await inBatchSpans([a, b], 'gm.directory.practices', 'group-1', async () => ({
      fromA: traceparentOf(practiceChanged('out-a', 'evt-a')),
      fromB: traceparentOf(practiceChanged('out-b', 'evt-b')),
      uncaused: traceparentOf(practiceChanged('out-c')),
    }));
    expect(traceIdOf(written.fromA)).toBe('a'.repeat(32));
    expect(traceIdOf(written.fromB)).toBe('b'.repeat(32));
    const [batch] = spanNamed('process gm.directory.practices batch');
    expect(traceIdOf(written.uncaused)).toBe(batch!.spanContext().traceId);
    expect(batch!.links.map((link) => link.context.traceId).sort()).toEqual([
      'a'.repeat(32),
      'b'.repeat(32),
    ]);
    expect(spanNamed('process gm.directory.practices')).toHaveLength(2);
  });

  it("marks a failed handling by the error's name only (a message could quote event data)", async () => {
    const consumed = practiceChanged('evt-bad', undefined, REMOTE_A).envelope;
    await expect(
      inConsumerSpan(consumed, 'gm.directory.practices', 'group-1', async () => {
        throw new TypeError('subject "Chest pain" is too long');
      }),
    ).rejects.toThrow(TypeError);
    const [span] = spanNamed('process gm.directory.practices');
    expect(span!.status).toEqual({ code: 2, message: 'TypeError' });
  });
});
