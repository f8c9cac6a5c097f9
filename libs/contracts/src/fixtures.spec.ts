/**
 * Golden fixtures: one realistic wire record per published event type, in
 * `libs/contracts/fixtures/<type>.json`.
 *
 * These fixtures are FROZEN. They stand for records already on the topics and
 * in consumers' hands. If a schema or codec change makes one of these tests
 * fail, that change is a BREAKING change for the published type: do not edit
 * the fixture, publish a new `.v2` type alongside instead (see README.md).
 * Adding an event type means adding its fixture (and nothing else changes).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EVENT_CATALOGUE } from './catalogue.js';
import { buildEnvelope, fromWireRecord, toWireRecord } from './codec.js';
import type { EventMetadata } from './envelope.js';
import { schemaViolations } from './validation.js';

interface Fixture {
  key: string;
  headers: Record<string, string>;
  data: Record<string, unknown>;
}

const fixturesDir = fileURLToPath(new URL('../fixtures/', import.meta.url));

function loadFixture(type: string): Fixture {
  return JSON.parse(readFileSync(`${fixturesDir}${type}.json`, 'utf8')) as Fixture;
}

describe('golden fixtures', () => {
  it('has exactly one fixture per catalogue type and none without a definition', () => {
    const files = readdirSync(fixturesDir)
      .filter((name) => name.endsWith('.json'))
      .map((name) => name.slice(0, -'.json'.length))
      .sort();
    const types = EVENT_CATALOGUE.map((definition) => definition.type).sort();
    expect(new Set(types).size).toBe(types.length);
    expect(files).toEqual(types);
  });

  describe.each(EVENT_CATALOGUE.map((definition) => [definition.type, definition] as const))(
    '%s',
    (type, definition) => {
      const fixture = loadFixture(type);

      it('is of its own type, keyed by its aggregate id', () => {
        expect(fixture.headers.ce_type).toBe(type);
        expect(fixture.key).toBe(fixture.data[definition.keyField]);
      });

      it('has data that passes the schema', () => {
        expect(schemaViolations(definition, fixture.data)).toEqual([]);
      });

      it('decodes from the wire into the expected envelope', () => {
        const envelope = fromWireRecord({
          key: fixture.key,
          value: JSON.stringify(fixture.data),
          headers: fixture.headers,
        });
        expect(envelope).toStrictEqual({
          id: fixture.headers.ce_id,
          type,
          source: fixture.headers.ce_source,
          time: fixture.headers.ce_time,
          specversion: '1.0',
          subject: fixture.key,
          dataschema: fixture.headers.ce_dataschema,
          practiceId: fixture.headers.ce_practiceid,
          correlationId: fixture.headers.ce_correlationid,
          causationId: fixture.headers.ce_causationid,
          data: fixture.data,
        });
      });

      it('decodes from Buffers, as kafkajs delivers records', () => {
        const headers = Object.fromEntries(
          Object.entries(fixture.headers).map(([name, value]) => [name, Buffer.from(value)]),
        );
        const envelope = fromWireRecord({
          key: Buffer.from(fixture.key),
          value: Buffer.from(JSON.stringify(fixture.data)),
          headers,
        });
        expect(envelope.type).toBe(type);
        expect(envelope.data).toEqual(fixture.data);
      });

      it('is reproduced exactly by buildEnvelope + toWireRecord', () => {
        const metadata: EventMetadata = {
          id: fixture.headers.ce_id,
          source: fixture.headers.ce_source,
          time: fixture.headers.ce_time,
          practiceId: fixture.headers.ce_practiceid,
          correlationId: fixture.headers.ce_correlationid,
          ...(fixture.headers.ce_causationid
            ? { causationId: fixture.headers.ce_causationid }
            : {}),
        };
        const record = toWireRecord(buildEnvelope(definition, fixture.data, metadata));
        expect(record.key).toBe(fixture.key);
        expect(record.headers).toStrictEqual(fixture.headers);
        expect(JSON.parse(record.value)).toStrictEqual(fixture.data);
      });
    },
  );
});
