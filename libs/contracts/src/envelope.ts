/**
 * CloudEvents 1.0 envelope in Kafka binary content mode: the context
 * attributes travel as `ce_*` headers, the value is the event data as JSON.
 * `practiceid`, `correlationid`, `causationid` and `writeid` are CloudEvents
 * extension attributes (lower-case alphanumerics, as the spec requires);
 * `traceparent` and `tracestate` are the CloudEvents distributed-tracing
 * extension (W3C Trace Context).
 */
export const CLOUDEVENTS_SPEC_VERSION = '1.0';

export const CE_HEADERS = {
  id: 'ce_id',
  type: 'ce_type',
  source: 'ce_source',
  time: 'ce_time',
  specversion: 'ce_specversion',
  subject: 'ce_subject',
  dataschema: 'ce_dataschema',
  practiceId: 'ce_practiceid',
  correlationId: 'ce_correlationid',
  causationId: 'ce_causationid',
  writeId: 'ce_writeid',
  traceparent: 'ce_traceparent',
  tracestate: 'ce_tracestate',
  contentType: 'content-type',
} as const;

export interface EventEnvelope<T = unknown> {
  /** Unique per event; consumers dedupe on it. */
  id: string;
  /** Versioned type string, e.g. `gm.message-group.created.v1`. */
  type: string;
  /** Producing service, e.g. `/services/group-config`. */
  source: string;
  /** RFC 3339 time the fact happened. */
  time: string;
  specversion: typeof CLOUDEVENTS_SPEC_VERSION;
  /** The aggregate id; also the Kafka key, so one aggregate's events stay in order. */
  subject: string;
  dataschema: string;
  practiceId: string;
  correlationId: string;
  causationId?: string;
  /**
   * The HTTP write that produced this event (a consistency token names it,
   * ADR 0018); absent on events a service produced on its own.
   */
  writeId?: string;
  /** W3C trace context of the span that produced the event, when it was traced. */
  traceparent?: string;
  tracestate?: string;
  data: T;
}

/** What a producer supplies beyond the data itself. */
export interface EventMetadata {
  id: string;
  source: string;
  time: string;
  practiceId: string;
  correlationId: string;
  causationId?: string;
}
