import { EVENT_CATALOGUE } from './catalogue.js';
import {
  CE_HEADERS,
  CLOUDEVENTS_SPEC_VERSION,
  type EventEnvelope,
  type EventMetadata,
} from './envelope.js';
import { dataSchemaUri, type EventDefinition } from './event-definition.js';
import { isWriteId } from './consistency.js';
import { schemaViolations } from './validation.js';

/** A Kafka record as kafkajs produces and consumes it (binary content mode). */
export interface WireRecord {
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** Why a record cannot be accepted as an event; consumers dead-letter these. */
export class ContractViolation extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(details.length ? `${message}: ${details.join('; ')}` : message);
    this.name = 'ContractViolation';
  }
}

/**
 * A record of an event family the decoder knows (`gm.<name>`) at a version
 * it does not (`.v<N>`): a newer version, published beside the older ones
 * during their deprecation window (docs/event-compatibility.md). Not a
 * ContractViolation: consumers skip it (commit past it, count it), never
 * dead-letter it. Its data is not read.
 */
export class UnknownEventVersion extends Error {
  constructor(
    readonly type: string,
    readonly family: string,
    readonly version: number,
    readonly knownVersions: readonly number[],
  ) {
    super(
      `${type} is version ${version} of ${family}, which this build knows at ${knownVersions.map((v) => `v${v}`).join(', ')} only`,
    );
    this.name = 'UnknownEventVersion';
  }
}

const VERSIONED_TYPE = /^(.+)\.v([1-9][0-9]*)$/;

/** The family (`gm.message.assigned`) and version (2) of a type (`gm.message.assigned.v2`). */
export function eventFamilyOf(type: string): { family: string; version: number } | undefined {
  const match = VERSIONED_TYPE.exec(type);
  return match ? { family: match[1]!, version: Number(match[2]) } : undefined;
}

function assertSamePractice(practiceId: string, data: unknown): string {
  const dataPractice = (data as Record<string, unknown>).practiceId;
  if (dataPractice !== practiceId) {
    throw new ContractViolation(
      `event data is of practice ${String(dataPractice)}, not ${practiceId}`,
    );
  }
  return practiceId;
}

export function buildEnvelope<T>(
  definition: EventDefinition<T>,
  data: T,
  metadata: EventMetadata,
): EventEnvelope<T> {
  const violations = schemaViolations(definition as EventDefinition<unknown>, data);
  if (violations.length) {
    throw new ContractViolation(`refusing to produce an invalid ${definition.type}`, violations);
  }
  return {
    ...metadata,
    practiceId: assertSamePractice(metadata.practiceId, data),
    type: definition.type,
    specversion: CLOUDEVENTS_SPEC_VERSION,
    subject: String(data[definition.keyField]),
    dataschema: dataSchemaUri(definition.type),
    data,
  };
}

export function toWireRecord(envelope: EventEnvelope): WireRecord {
  const headers: Record<string, string> = {
    [CE_HEADERS.id]: envelope.id,
    [CE_HEADERS.type]: envelope.type,
    [CE_HEADERS.source]: envelope.source,
    [CE_HEADERS.time]: envelope.time,
    [CE_HEADERS.specversion]: envelope.specversion,
    [CE_HEADERS.subject]: envelope.subject,
    [CE_HEADERS.dataschema]: envelope.dataschema,
    [CE_HEADERS.practiceId]: envelope.practiceId,
    [CE_HEADERS.correlationId]: envelope.correlationId,
    [CE_HEADERS.contentType]: 'application/json',
  };
  if (envelope.causationId) headers[CE_HEADERS.causationId] = envelope.causationId;
  if (envelope.writeId) headers[CE_HEADERS.writeId] = envelope.writeId;
  if (envelope.traceparent) headers[CE_HEADERS.traceparent] = envelope.traceparent;
  if (envelope.tracestate) headers[CE_HEADERS.tracestate] = envelope.tracestate;
  return { key: envelope.subject, value: JSON.stringify(envelope.data), headers };
}

type RawHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

function header(headers: RawHeaders, name: string): string | undefined {
  const raw = headers[name];
  const first = Array.isArray(raw) ? raw[0] : raw;
  return first === undefined ? undefined : first.toString();
}

/** A record as kafkajs consumes it. */
export interface ConsumedRecord {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: RawHeaders;
}

/** Reads consumed records back into envelopes, for the event types it was built with. */
export type WireDecoder = (record: ConsumedRecord) => EventEnvelope;

/**
 * A decoder that knows exactly these definitions: `fromWireRecord` is the
 * one of EVENT_CATALOGUE. A record of a known family at a version not among
 * them is an UnknownEventVersion (to skip); anything else unknown or
 * malformed is a ContractViolation (to dead-letter), never a crash.
 */
export function wireDecoder(definitions: readonly EventDefinition<unknown>[]): WireDecoder {
  const byType = new Map(definitions.map((definition) => [definition.type, definition]));
  const versionsOf = new Map<string, number[]>();
  for (const { type } of definitions) {
    const versioned = eventFamilyOf(type);
    if (!versioned) throw new Error(`event type ${type} has no .v<version> suffix`);
    versionsOf.set(versioned.family, [
      ...(versionsOf.get(versioned.family) ?? []),
      versioned.version,
    ]);
  }
  return (record) =>
    decode(record, (type) => {
      const definition = byType.get(type);
      if (definition) return definition;
      const versioned = eventFamilyOf(type);
      const known = versioned && versionsOf.get(versioned.family);
      if (versioned && known) {
        throw new UnknownEventVersion(
          type,
          versioned.family,
          versioned.version,
          [...known].sort((a, b) => a - b),
        );
      }
      throw new ContractViolation(`unknown event type ${type}`);
    });
}

let catalogueDecoder: WireDecoder | undefined;

/**
 * Reads a consumed record back into an envelope, validating headers, type and
 * data, against EVENT_CATALOGUE. A newer version of a known event is an
 * UnknownEventVersion (skip it); anything else unknown or malformed is a
 * ContractViolation (dead-letter it), never a crash.
 */
export function fromWireRecord(record: ConsumedRecord): EventEnvelope {
  catalogueDecoder ??= wireDecoder(EVENT_CATALOGUE);
  return catalogueDecoder(record);
}

function decode(
  record: ConsumedRecord,
  definitionOf: (type: string) => EventDefinition<unknown>,
): EventEnvelope {
  const headers = record.headers ?? {};
  const required = [
    'id',
    'type',
    'source',
    'time',
    'specversion',
    'practiceId',
    'correlationId',
  ] as const;
  const missing = required.filter((name) => !header(headers, CE_HEADERS[name]));
  if (missing.length) {
    throw new ContractViolation(
      'missing CloudEvents headers',
      missing.map((m) => CE_HEADERS[m]),
    );
  }
  const specversion = header(headers, CE_HEADERS.specversion);
  if (specversion !== CLOUDEVENTS_SPEC_VERSION) {
    throw new ContractViolation(`unsupported CloudEvents specversion ${specversion}`);
  }
  const type = header(headers, CE_HEADERS.type)!;
  const definition = definitionOf(type);
  if (record.value === null || record.value === undefined) {
    throw new ContractViolation(`${type} has no value`);
  }
  let data: unknown;
  try {
    data = JSON.parse(record.value.toString());
  } catch {
    throw new ContractViolation(`${type} value is not JSON`);
  }
  const violations = schemaViolations(definition, data);
  if (violations.length)
    throw new ContractViolation(`${type} does not match its schema`, violations);
  const subject = String((data as Record<string, unknown>)[definition.keyField]);
  const key = record.key?.toString();
  if (key !== undefined && key !== subject) {
    throw new ContractViolation(`${type} key ${key} differs from its aggregate id ${subject}`);
  }
  const subjectHeader = header(headers, CE_HEADERS.subject);
  if (subjectHeader !== undefined && subjectHeader !== subject) {
    throw new ContractViolation(
      `${type} ${CE_HEADERS.subject} differs from its aggregate id ${subject}`,
    );
  }
  const practiceId = header(headers, CE_HEADERS.practiceId)!;
  if ((data as Record<string, unknown>).practiceId !== practiceId) {
    throw new ContractViolation(
      `${type} practice differs from its ${CE_HEADERS.practiceId} header`,
    );
  }
  const writeId = header(headers, CE_HEADERS.writeId);
  if (writeId !== undefined && !isWriteId(writeId)) {
    throw new ContractViolation(`${type} ${CE_HEADERS.writeId} is not a write id`);
  }
  return {
    id: header(headers, CE_HEADERS.id)!,
    type,
    source: header(headers, CE_HEADERS.source)!,
    time: header(headers, CE_HEADERS.time)!,
    specversion: CLOUDEVENTS_SPEC_VERSION,
    subject,
    dataschema: header(headers, CE_HEADERS.dataschema) ?? dataSchemaUri(type),
    practiceId,
    correlationId: header(headers, CE_HEADERS.correlationId)!,
    causationId: header(headers, CE_HEADERS.causationId),
    ...(writeId === undefined ? {} : { writeId }),
    ...traceContextOf(headers),
    data,
  };
}

/** W3C `traceparent`: version 00, a non-zero trace id and parent id, flags. */
const TRACEPARENT = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;
/** W3C `tracestate`: at most 32 comma-separated members, 512 characters in all. */
const TRACESTATE = /^[\x20-\x2b\x2d-\x7e]*(,[\x20-\x2b\x2d-\x7e]*){0,31}$/;

/**
 * The trace context an event carries, if it is well formed. A malformed one
 * is dropped, never refused: tracing must not decide whether an event is
 * applied (W3C Trace Context: an invalid parent starts a new trace).
 */
function traceContextOf(headers: RawHeaders): Pick<EventEnvelope, 'traceparent' | 'tracestate'> {
  const traceparent = header(headers, CE_HEADERS.traceparent);
  if (traceparent === undefined || !TRACEPARENT.test(traceparent)) return {};
  const tracestate = header(headers, CE_HEADERS.tracestate);
  return tracestate !== undefined && tracestate.length <= 512 && TRACESTATE.test(tracestate)
    ? { traceparent, tracestate }
    : { traceparent };
}

/** Narrows an envelope to one event type. */
export function isEvent<T>(
  envelope: EventEnvelope,
  definition: EventDefinition<T>,
): envelope is EventEnvelope<T> {
  return envelope.type === definition.type;
}
