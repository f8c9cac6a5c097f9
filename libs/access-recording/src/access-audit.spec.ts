import { AccessRecordedV2, fromWireRecord, schemaViolations, toWireRecord } from '@gm/contracts';
import { accessRecordedEvent, type Access, type ListingAccess } from './access-recorded-event.js';
import { NO_ORIGIN, requestOriginOf } from './request-origin.js';
import { recordRefusal, ThreadReadRecorder } from './thread-read-recorder.js';

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
    expect(definition.type).toBe(AccessRecordedV2.type);
    expect(schemaViolations(AccessRecordedV2 as never, envelope.data)).toEqual([]);
    const decoded = fromWireRecord(toWireRecord(envelope));
    expect(decoded.subject).toBe('prc_demo');
    expect(decoded.data).toEqual({
      recordId: envelope.id,
      practiceId: 'prc_demo',
      actor: { kind: 'patient', id: 'pat_ruth' },
      action: 'thread.read',
      threadId: 'thr_1',
      threadIds: ['thr_1'],
      occurredAt: envelope.time,
      source: { ip: '203.0.113.24', userAgent: 'PHR/3.1' },
      correlationId: 'corr-1',
      outcome: 'served',
      refusal: null,
      listing: null,
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
    expect((envelope.data as AccessRecordedV2).occurredAt).toBe('2025-03-09T09:00:00.000Z');
    expect(envelope.causationId).toBe('evt-cause');
  });

  it('gives every access its own record id', () => {
    const a = accessRecordedEvent('/s', access).envelope.id;
    const b = accessRecordedEvent('/s', access).envelope.id;
    expect(a).not.toBe(b);
  });
});

describe('accessRecordedEvent of refusals and listings', () => {
  const base = {
    practiceId: 'prc_demo',
    actor: { kind: 'member' as const, id: 'mbr_alice' },
    origin: { ip: '203.0.113.24', userAgent: 'Web/2' },
    correlationId: 'corr-2',
  };
  const dataOf = (access: Access) =>
    accessRecordedEvent('/services/inbox-projection', access).envelope.data as AccessRecordedV2;

  it('records a refused read with the problem code it was answered with', () => {
    const data = dataOf({
      ...base,
      action: 'thread.read',
      threadId: 'thr_9',
      refusal: 'thread-not-found',
    });
    expect(data).toMatchObject({
      threadId: 'thr_9',
      threadIds: ['thr_9'],
      outcome: 'refused',
      refusal: 'thread-not-found',
      listing: null,
    });
  });

  it('records a listing with the ids shown, in order, and no thread of its own', () => {
    const listing: ListingAccess = {
      ...base,
      action: 'threads.searched',
      listing: { view: 'group-threads', groupId: 'grp_billing', filter: 'all', searched: true },
      threadIds: ['thr_3', 'thr_1', 'thr_2'],
    };
    const data = dataOf(listing);
    expect(schemaViolations(AccessRecordedV2 as never, data)).toEqual([]);
    expect(data).toMatchObject({
      action: 'threads.searched',
      threadId: null,
      threadIds: ['thr_3', 'thr_1', 'thr_2'],
      outcome: 'served',
      refusal: null,
      listing: { view: 'group-threads', groupId: 'grp_billing', filter: 'all', searched: true },
    });
  });

  it('records an empty page too', () => {
    const data = dataOf({
      ...base,
      actor: { kind: 'patient', id: 'pat_ruth' },
      action: 'mailbox.listed',
      listing: { view: 'mailbox', groupId: null, filter: 'inbox', searched: false },
      threadIds: [],
    });
    expect(data.threadIds).toEqual([]);
  });
});

class MemoryRecorder extends ThreadReadRecorder {
  readonly recorded: Access[] = [];
  constructor(private readonly down = false) {
    super();
  }
  async record(access: Access): Promise<void> {
    if (this.down) throw new Error('store down');
    this.recorded.push(access);
  }
}

describe('recordRefusal', () => {
  const access = {
    practiceId: 'prc_demo',
    actor: { kind: 'member' as const, id: 'mbr_alice' },
    action: 'thread.read' as const,
    threadId: 'thr_1',
    origin: NO_ORIGIN,
    correlationId: 'corr-3',
  };
  const notFound = Object.assign(new Error('no thread'), { code: 'thread-not-found' });
  const unavailable = () => new Error('access-audit-unavailable');

  it('records the refusal and gives it back to throw', async () => {
    const recorder = new MemoryRecorder();
    expect(await recordRefusal(recorder, access, notFound, unavailable)).toBe(notFound);
    expect(recorder.recorded).toEqual([{ ...access, refusal: 'thread-not-found' }]);
  });

  it('answers the 503 when the refusal cannot be recorded', async () => {
    await expect(
      recordRefusal(new MemoryRecorder(true), access, notFound, unavailable),
    ).rejects.toThrow('access-audit-unavailable');
  });

  it('records nothing for a thread id no record can name', async () => {
    const recorder = new MemoryRecorder();
    const malformed = { ...access, threadId: 'x'.repeat(129) };
    expect(await recordRefusal(recorder, malformed, notFound, unavailable)).toBe(notFound);
    expect(recorder.recorded).toEqual([]);
  });
});
