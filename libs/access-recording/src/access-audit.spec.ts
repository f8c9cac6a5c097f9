import { AccessRecordedV1, fromWireRecord, schemaViolations, toWireRecord } from '@gm/contracts';
import { accessRecordedEvent } from './access-recorded-event.js';
import { NO_ORIGIN, requestOriginOf } from './request-origin.js';

describe('requestOriginOf', () => {
  it("takes Express's ip and the User-Agent", () => {
    expect(
      requestOriginOf({ ip: '203.0.113.24', headers: { 'user-agent': 'Mozilla/5.0 (X11)' } }),
    ).toEqual({ ip: '203.0.113.24', userAgent: 'Mozilla/5.0 (X11)' });
  });

  it('falls back to the socket address, and gives null for what is missing', () => {
    expect(requestOriginOf({ socket: { remoteAddress: '::1' }, headers: {} })).toEqual({
      ip: '::1',
      userAgent: null,
    });
    expect(requestOriginOf({ headers: { 'user-agent': '' } })).toEqual(NO_ORIGIN);
  });

  it('ignores X-Forwarded-For: only the trusted-proxy setting behind request.ip may use it', () => {
    const origin = requestOriginOf({
      ip: '10.0.0.7',
      headers: { 'x-forwarded-for': '198.51.100.1', 'user-agent': 'curl/8' },
    });
    expect(origin.ip).toBe('10.0.0.7');
  });

  it('bounds the user agent and blanks control characters', () => {
    const origin = requestOriginOf({ headers: { 'user-agent': `a\u0000b\nc${'x'.repeat(600)}` } });
    expect(origin.userAgent).toHaveLength(512);
    expect(origin.userAgent!.startsWith('a b c')).toBe(true);
  });
});

describe('accessRecordedEvent', () => {
  const access = {
    practiceId: 'prc_demo',
    actor: { kind: 'patient' as const, id: 'pat_ruth' },
    action: 'thread.read' as const,
    threadId: 'thr_1',
    origin: { ip: '203.0.113.24', userAgent: 'PHR/3.1' },
    correlationId: 'corr-1',
  };

  it('is a schema-valid AccessRecorded keyed by practice, its record id the event id', () => {
    const { definition, envelope } = accessRecordedEvent('/services/inbox-projection', access);
    expect(definition.type).toBe(AccessRecordedV1.type);
    expect(schemaViolations(AccessRecordedV1 as never, envelope.data)).toEqual([]);
    const decoded = fromWireRecord(toWireRecord(envelope));
    expect(decoded.subject).toBe('prc_demo');
    expect(decoded.data).toEqual({
      recordId: envelope.id,
      practiceId: 'prc_demo',
      actor: { kind: 'patient', id: 'pat_ruth' },
      action: 'thread.read',
      threadId: 'thr_1',
      occurredAt: envelope.time,
      source: { ip: '203.0.113.24', userAgent: 'PHR/3.1' },
      correlationId: 'corr-1',
    });
    expect(decoded.correlationId).toBe('corr-1');
  });

  it('keeps the time and cause it is given', () => {
    const { envelope } = accessRecordedEvent('/services/routing-assignment', {
      ...access,
      occurredAt: '2025-03-09T09:00:00.000Z',
      causationId: 'evt-cause',
    });
    expect(envelope.time).toBe('2025-03-09T09:00:00.000Z');
    expect((envelope.data as AccessRecordedV1).occurredAt).toBe('2025-03-09T09:00:00.000Z');
    expect(envelope.causationId).toBe('evt-cause');
  });

  it('gives every access its own record id', () => {
    const a = accessRecordedEvent('/s', access).envelope.id;
    const b = accessRecordedEvent('/s', access).envelope.id;
    expect(a).not.toBe(b);
  });
});
