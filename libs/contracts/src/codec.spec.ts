/**
 * Negative and edge cases of the wire codec. Every rejection must be a
 * ContractViolation (consumers dead-letter those and go on), never a crash;
 * a known event at a version the decoder does not know is an
 * UnknownEventVersion (consumers skip those).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EVENT_CATALOGUE } from './catalogue.js';
import {
  ContractViolation,
  UnknownEventVersion,
  buildEnvelope,
  eventFamilyOf,
  fromWireRecord,
  isEvent,
  toWireRecord,
  wireDecoder,
} from './codec.js';
import { CE_HEADERS, type EventMetadata } from './envelope.js';
import { dataSchemaUri } from './event-definition.js';
import {
  MessageGroupCreatedV1,
  type MessageGroupCreatedV1 as GroupData,
} from './events/message-group.events.js';
import { MessageSentV1 } from './events/patient-message.events.js';

interface Fixture {
  key: string;
  headers: Record<string, string>;
  data: Record<string, unknown>;
}

const fixture = JSON.parse(
  readFileSync(
    fileURLToPath(new URL('../fixtures/gm.message-group.created.v1.json', import.meta.url)),
    'utf8',
  ),
) as Fixture;

/** A fresh, valid record of `gm.message-group.created.v1`, with overrides. */
function record(
  overrides: {
    key?: Buffer | string | null;
    value?: Buffer | string | null;
    headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
    data?: Record<string, unknown>;
  } = {},
) {
  return {
    key: 'key' in overrides ? overrides.key : fixture.key,
    value:
      'value' in overrides
        ? overrides.value!
        : JSON.stringify({ ...fixture.data, ...overrides.data }),
    headers: { ...fixture.headers, ...overrides.headers },
  };
}

function withoutHeader(name: string) {
  const headers: Record<string, string> = { ...fixture.headers };
  delete headers[name];
  return { key: fixture.key, value: JSON.stringify(fixture.data), headers };
}

/** Runs `fn`, asserts it threw a ContractViolation, and returns it. */
function violation(fn: () => unknown): ContractViolation {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ContractViolation);
  return thrown as ContractViolation;
}

const metadata: EventMetadata = {
  id: '11111111-2222-4333-8444-555555555555',
  source: '/services/group-config',
  time: '2025-03-04T09:15:00.000Z',
  practiceId: 'prc_demo',
  correlationId: '66666666-7777-4888-9999-000000000000',
};

const groupData = (): GroupData => structuredClone(fixture.data) as unknown as GroupData;

describe('fromWireRecord', () => {
  it('accepts the valid baseline record (so the cases below fail for their own reason)', () => {
    expect(fromWireRecord(record()).type).toBe('gm.message-group.created.v1');
  });

  it('rejects an unknown event type', () => {
    const error = violation(() =>
      fromWireRecord(record({ headers: { ce_type: 'gm.message-group.exploded.v1' } })),
    );
    expect(error.message).toBe('unknown event type gm.message-group.exploded.v1');
  });

  it('reports a known event at a version it does not know as UnknownEventVersion, not a ContractViolation', () => {
    let thrown: unknown;
    try {
      fromWireRecord(record({ headers: { ce_type: 'gm.message-group.created.v2' } }));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UnknownEventVersion);
    expect(thrown).not.toBeInstanceOf(ContractViolation);
    expect(thrown).toMatchObject({
      name: 'UnknownEventVersion',
      type: 'gm.message-group.created.v2',
      family: 'gm.message-group.created',
      version: 2,
      knownVersions: [1],
    });
  });

  it('does not read the data of an unknown version (it may be anything that version allows)', () => {
    expect(() =>
      fromWireRecord(
        record({ headers: { ce_type: 'gm.message-group.created.v7' }, value: '{not json' }),
      ),
    ).toThrow(UnknownEventVersion);
  });

  it.each(['gm.message-group.created', 'gm.message-group.created.v0', 'gm.message-group.v2'])(
    'rejects %p: not a version of a known event',
    (type) => {
      violation(() => fromWireRecord(record({ headers: { ce_type: type } })));
    },
  );

  it('still rejects a known event at an unknown version when a required header is missing', () => {
    const headers: Record<string, string> = {
      ...fixture.headers,
      ce_type: 'gm.message-group.created.v2',
    };
    delete headers.ce_practiceid;
    violation(() => fromWireRecord({ key: fixture.key, value: '{}', headers }));
  });

  it.each([
    'ce_id',
    'ce_type',
    'ce_source',
    'ce_time',
    'ce_specversion',
    'ce_practiceid',
    'ce_correlationid',
  ])('rejects a record without the required %s header', (name) => {
    const error = violation(() => fromWireRecord(withoutHeader(name)));
    expect(error.message).toBe(`missing CloudEvents headers: ${name}`);
    expect(error.details).toEqual([name]);
  });

  it('treats an empty required header as missing', () => {
    const error = violation(() => fromWireRecord(record({ headers: { ce_id: '' } })));
    expect(error.message).toBe('missing CloudEvents headers: ce_id');
  });

  it('lists every missing header at once', () => {
    const error = violation(() => fromWireRecord({ key: fixture.key, value: '{}', headers: {} }));
    expect(error.details).toEqual([
      'ce_id',
      'ce_type',
      'ce_source',
      'ce_time',
      'ce_specversion',
      'ce_practiceid',
      'ce_correlationid',
    ]);
  });

  it('rejects a record without any headers', () => {
    const error = violation(() => fromWireRecord({ key: fixture.key, value: '{}' }));
    expect(error.message).toContain('missing CloudEvents headers');
  });

  it('accepts a record without the optional ce_subject, ce_dataschema and ce_causationid', () => {
    const headers: Record<string, string> = { ...fixture.headers };
    delete headers.ce_subject;
    delete headers.ce_dataschema;
    const envelope = fromWireRecord({
      key: fixture.key,
      value: JSON.stringify(fixture.data),
      headers,
    });
    expect(envelope.subject).toBe('grp_billing');
    expect(envelope.dataschema).toBe(dataSchemaUri('gm.message-group.created.v1'));
    expect(envelope.causationId).toBeUndefined();
  });

  it('rejects another CloudEvents specversion', () => {
    const error = violation(() => fromWireRecord(record({ headers: { ce_specversion: '0.3' } })));
    expect(error.message).toBe('unsupported CloudEvents specversion 0.3');
  });

  it('rejects a null value (a tombstone is not an event)', () => {
    const error = violation(() => fromWireRecord(record({ value: null })));
    expect(error.message).toBe('gm.message-group.created.v1 has no value');
  });

  it('rejects a value that is not JSON', () => {
    const error = violation(() => fromWireRecord(record({ value: '{"practiceId": "prc_demo",' })));
    expect(error.message).toBe('gm.message-group.created.v1 value is not JSON');
  });

  it('rejects an empty value', () => {
    const error = violation(() => fromWireRecord(record({ value: '' })));
    expect(error.message).toContain('value is not JSON');
  });

  it.each([
    ['null', 'null'],
    ['an array', '[]'],
    ['a string', '"grp_billing"'],
  ])('rejects JSON %s as data', (_label, value) => {
    const error = violation(() => fromWireRecord(record({ value })));
    expect(error.message).toContain('does not match its schema');
    expect(error.details).toContain('(root) must be object');
  });

  describe('schema violations', () => {
    it('rejects data missing a required field', () => {
      const data: Record<string, unknown> = { ...fixture.data };
      delete data.name;
      const error = violation(() => fromWireRecord(record({ value: JSON.stringify(data) })));
      expect(error.message).toContain('gm.message-group.created.v1 does not match its schema');
      expect(error.details).toContain("(root) must have required property 'name'");
    });

    it('rejects a value outside an enum', () => {
      const error = violation(() =>
        fromWireRecord(record({ data: { recipientMode: 'everyone' } })),
      );
      expect(error.details).toContain('/recipientMode must be equal to one of the allowed values');
    });

    it('rejects a nested value outside an enum', () => {
      const error = violation(() =>
        fromWireRecord(
          record({ data: { members: [{ memberId: 'mbr_alice', privilege: 'owner' }] } }),
        ),
      );
      expect(error.details).toContain(
        '/members/0/privilege must be equal to one of the allowed values',
      );
    });

    it.each(['2025-03-04 09:15', '2025-03-04T09:15:00', '2025-13-04T09:15:00Z', 'yesterday'])(
      'rejects the timestamp %p, which is not an RFC 3339 date-time with offset',
      (changedAt) => {
        const error = violation(() => fromWireRecord(record({ data: { changedAt } })));
        expect(error.details).toContain('/changedAt must match format "date-time"');
      },
    );

    it("accepts a group of 11 members: the product's limit of 10 is group-config's rule, not the wire's", () => {
      const members = Array.from({ length: 11 }, (_, i) => ({
        memberId: `mbr_${i}`,
        privilege: i === 0 ? 'admin' : 'user',
      }));
      expect(fromWireRecord(record({ data: { members } })).data).toMatchObject({ members });
    });

    it('accepts a name longer than any the product allows today', () => {
      const name = 'N'.repeat(5000);
      expect(fromWireRecord(record({ data: { name } })).data).toMatchObject({ name });
    });

    it('rejects a wrong type and reports every violation', () => {
      const error = violation(() =>
        fromWireRecord(record({ data: { version: 0, name: '', facilityId: 42 } })),
      );
      expect(error.details).toEqual(
        expect.arrayContaining([
          '/version must be >= 1',
          '/name must NOT have fewer than 1 characters',
          '/facilityId must be string,null',
        ]),
      );
    });
  });

  it('rejects a key that differs from the aggregate id', () => {
    const error = violation(() => fromWireRecord(record({ key: 'grp_other' })));
    expect(error.message).toBe(
      'gm.message-group.created.v1 key grp_other differs from its aggregate id grp_billing',
    );
  });

  it('accepts a record without a key (kafkajs delivers null)', () => {
    expect(fromWireRecord(record({ key: null })).subject).toBe('grp_billing');
  });

  it('rejects data of another practice than the ce_practiceid header', () => {
    const error = violation(() =>
      fromWireRecord(record({ headers: { ce_practiceid: 'prc_other' } })),
    );
    expect(error.message).toBe(
      'gm.message-group.created.v1 practice differs from its ce_practiceid header',
    );
  });

  it('reads headers, key and value given as Buffers, as kafkajs delivers them', () => {
    const headers = Object.fromEntries(
      Object.entries(fixture.headers).map(([name, value]) => [name, Buffer.from(value, 'utf8')]),
    );
    const envelope = fromWireRecord({
      key: Buffer.from(fixture.key),
      value: Buffer.from(JSON.stringify(fixture.data)),
      headers: { ...headers, ce_causationid: Buffer.from('cause-1') },
    });
    expect(envelope).toMatchObject({
      id: fixture.headers.ce_id,
      type: 'gm.message-group.created.v1',
      practiceId: 'prc_demo',
      causationId: 'cause-1',
      subject: 'grp_billing',
    });
    expect(typeof envelope.id).toBe('string');
    expect(envelope.data).toEqual(fixture.data);
  });

  it('takes the first value of a repeated header', () => {
    const envelope = fromWireRecord(
      record({ headers: { ce_id: [Buffer.from('first-id'), Buffer.from('second-id')] } }),
    );
    expect(envelope.id).toBe('first-id');
  });

  it('rejects a missing header given as an empty array', () => {
    const error = violation(() => fromWireRecord(record({ headers: { ce_source: [] } })));
    expect(error.message).toBe('missing CloudEvents headers: ce_source');
  });

  it('accepts and keeps unknown data properties (v1 schemas are open for additive fields)', () => {
    const envelope = fromWireRecord(
      record({ data: { colour: 'teal', audit: { importedFrom: 'ehr' } } }),
    );
    expect(envelope.data).toMatchObject({ colour: 'teal', audit: { importedFrom: 'ehr' } });
  });

  it('accepts unknown properties in nested objects too', () => {
    const members = [{ memberId: 'mbr_alice', privilege: 'admin', since: '2025-01-01' }];
    expect(fromWireRecord(record({ data: { members } })).data).toMatchObject({ members });
  });

  it('ignores unknown extra headers', () => {
    const envelope = fromWireRecord(
      record({ headers: { traceparent: '00-abc-def-01', ce_newext: 'x' } }),
    );
    expect(envelope.type).toBe('gm.message-group.created.v1');
  });

  describe('trace context (CloudEvents distributed-tracing extension)', () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

    it('reads ce_traceparent and ce_tracestate, and writes them back', () => {
      const envelope = fromWireRecord(
        record({ headers: { ce_traceparent: traceparent, ce_tracestate: 'gm=1,vendor=x' } }),
      );
      expect(envelope.traceparent).toBe(traceparent);
      expect(envelope.tracestate).toBe('gm=1,vendor=x');
      expect(toWireRecord(envelope).headers).toMatchObject({
        ce_traceparent: traceparent,
        ce_tracestate: 'gm=1,vendor=x',
      });
    });

    it.each([
      ['a wrong version', traceparent.replace(/^00/, 'ff')],
      ['an all-zero trace id', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`],
      ['an all-zero parent id', `00-4bf92f3577b34da6a3ce929d0e0e4736-${'0'.repeat(16)}-01`],
      ['upper-case hex', traceparent.toUpperCase()],
      ['a short trace id', '00-4bf92f35-00f067aa0ba902b7-01'],
    ])('drops a traceparent with %s and still accepts the event', (_, bad) => {
      const envelope = fromWireRecord(
        record({ headers: { ce_traceparent: bad, ce_tracestate: 'gm=1' } }),
      );
      expect(envelope.type).toBe('gm.message-group.created.v1');
      expect(envelope.traceparent).toBeUndefined();
      expect(envelope.tracestate).toBeUndefined();
    });

    it('drops a tracestate over 512 characters, keeping the traceparent', () => {
      const envelope = fromWireRecord(
        record({ headers: { ce_traceparent: traceparent, ce_tracestate: `a=${'b'.repeat(511)}` } }),
      );
      expect(envelope.traceparent).toBe(traceparent);
      expect(envelope.tracestate).toBeUndefined();
    });
  });

  it('never throws anything but ContractViolation on garbage', () => {
    const garbage = [
      { value: null },
      { value: 'not json', headers: {} },
      { value: Buffer.from([0xff, 0xfe, 0x00]), headers: { ...fixture.headers } },
      { key: null, value: '{}', headers: { ...fixture.headers } },
    ];
    for (const input of garbage) violation(() => fromWireRecord(input));
  });
});

describe('wireDecoder', () => {
  const v1Only = wireDecoder(EVENT_CATALOGUE.filter((definition) => definition.version === 1));

  it('decodes the types it was built with', () => {
    expect(v1Only(record()).type).toBe('gm.message-group.created.v1');
  });

  it('reports a version beside the ones it knows as UnknownEventVersion', () => {
    const v2 = toWireRecord(
      buildEnvelope(
        EVENT_CATALOGUE.find((definition) => definition.type === 'gm.message.assigned.v2')!,
        {
          practiceId: 'prc_demo',
          threadId: 'thr_1',
          groupId: 'grp_billing',
          threadVersion: 2,
          occurredAt: '2025-03-04T09:15:00.000Z',
          assigneeMemberId: 'mbr_bob',
          previousAssigneeMemberId: null,
          assignedByMemberId: null,
          how: 'automatic',
        },
        metadata,
      ),
    );
    expect(fromWireRecord(v2).type).toBe('gm.message.assigned.v2');
    expect(() => v1Only(v2)).toThrow(UnknownEventVersion);
  });

  it('refuses to be built with a type without a version suffix', () => {
    expect(() =>
      wireDecoder([{ ...EVENT_CATALOGUE[0]!, type: 'gm.directory.practice-changed' }]),
    ).toThrow('has no .v<version> suffix');
  });
});

describe('eventFamilyOf', () => {
  it.each([
    ['gm.message.assigned.v2', { family: 'gm.message.assigned', version: 2 }],
    ['gm.audit.access-recorded.v10', { family: 'gm.audit.access-recorded', version: 10 }],
    ['gm.message.assigned', undefined],
    ['gm.message.assigned.v02', undefined],
    ['gm.message.assigned.v', undefined],
  ])('%p is %p', (type, expected) => {
    expect(eventFamilyOf(type)).toEqual(expected);
  });
});

describe('buildEnvelope', () => {
  it('refuses invalid data', () => {
    const data = { ...groupData(), recipientMode: 'everyone' } as unknown as GroupData;
    const error = violation(() => buildEnvelope(MessageGroupCreatedV1, data, metadata));
    expect(error.message).toContain('refusing to produce an invalid gm.message-group.created.v1');
    expect(error.details).toContain('/recipientMode must be equal to one of the allowed values');
  });

  it('refuses data missing a required field', () => {
    const data = groupData() as Partial<GroupData>;
    delete data.changedAt;
    const error = violation(() =>
      buildEnvelope(MessageGroupCreatedV1, data as GroupData, metadata),
    );
    expect(error.details).toContain("(root) must have required property 'changedAt'");
  });

  it("refuses data of another practice than the metadata's", () => {
    const error = violation(() =>
      buildEnvelope(MessageGroupCreatedV1, groupData(), { ...metadata, practiceId: 'prc_other' }),
    );
    expect(error.message).toBe('event data is of practice prc_demo, not prc_other');
  });

  it('accepts unknown extra data properties and carries them on the wire', () => {
    const data = { ...groupData(), colour: 'teal' } as GroupData;
    const wire = toWireRecord(buildEnvelope(MessageGroupCreatedV1, data, metadata));
    expect(JSON.parse(wire.value)).toMatchObject({ colour: 'teal' });
  });

  it('derives type, subject, dataschema and specversion from the definition and data', () => {
    const envelope = buildEnvelope(MessageGroupCreatedV1, groupData(), {
      ...metadata,
      // A caller cannot smuggle envelope attributes in through the metadata.
      ...({ type: 'gm.forged.v1', subject: 'grp_forged' } as object),
    });
    expect(envelope).toMatchObject({
      type: 'gm.message-group.created.v1',
      subject: 'grp_billing',
      specversion: '1.0',
      dataschema: 'urn:group-messages:schema:gm.message-group.created.v1',
    });
  });
});

describe('toWireRecord', () => {
  it('keys the record by the aggregate id and writes every ce_* header', () => {
    const wire = toWireRecord(buildEnvelope(MessageGroupCreatedV1, groupData(), metadata));
    expect(wire.key).toBe('grp_billing');
    expect(wire.headers).toStrictEqual({
      ce_id: metadata.id,
      ce_type: 'gm.message-group.created.v1',
      ce_source: metadata.source,
      ce_time: metadata.time,
      ce_specversion: '1.0',
      ce_subject: 'grp_billing',
      ce_dataschema: 'urn:group-messages:schema:gm.message-group.created.v1',
      ce_practiceid: 'prc_demo',
      ce_correlationid: metadata.correlationId,
      'content-type': 'application/json',
    });
    expect(wire.headers).not.toHaveProperty(CE_HEADERS.causationId);
  });

  it('writes ce_causationid when there is a cause, and round-trips through fromWireRecord', () => {
    const envelope = buildEnvelope(MessageGroupCreatedV1, groupData(), {
      ...metadata,
      causationId: 'cause-1',
    });
    const wire = toWireRecord(envelope);
    expect(wire.headers.ce_causationid).toBe('cause-1');
    expect(fromWireRecord(wire)).toEqual(envelope);
  });
});

describe('isEvent', () => {
  it('narrows by type', () => {
    const envelope = fromWireRecord(record());
    expect(isEvent(envelope, MessageGroupCreatedV1)).toBe(true);
    expect(isEvent(envelope, MessageSentV1)).toBe(false);
  });
});

describe('ContractViolation', () => {
  it('is an Error named ContractViolation that joins its details into the message', () => {
    const error = new ContractViolation('bad', ['a', 'b']);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ContractViolation');
    expect(error.message).toBe('bad: a; b');
    expect(new ContractViolation('bad').message).toBe('bad');
  });
});
