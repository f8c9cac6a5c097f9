import type { EventDefinition } from '../event-definition.js';
import { schemaViolations } from '../validation.js';
import { ACCESS_AUDIT_ACTIONS, AccessRecordedV1 as definition } from './access-audit.events.js';

const AccessRecordedV1 = definition as EventDefinition<unknown>;

const record = (overrides: Record<string, unknown> = {}) => ({
  recordId: 'evt_1',
  practiceId: 'prc_demo',
  actor: { kind: 'member', id: 'mbr_alice' },
  action: 'thread.read',
  threadId: 'thr_1',
  occurredAt: '2025-03-09T09:05:00.000Z',
  source: { ip: '203.0.113.24', userAgent: 'Mozilla/5.0' },
  correlationId: 'c0a1',
  ...overrides,
});

/** Every property name anywhere in a JSON Schema. */
function propertyNames(schema: unknown): string[] {
  if (!schema || typeof schema !== 'object') return [];
  const properties = (schema as { properties?: Record<string, unknown> }).properties ?? {};
  return Object.entries(properties).flatMap(([name, child]) => [name, ...propertyNames(child)]);
}

describe('AccessRecorded v1', () => {
  it('accepts every known action, and null sources for what did not come over HTTP', () => {
    for (const action of ACCESS_AUDIT_ACTIONS) {
      expect(schemaViolations(AccessRecordedV1, record({ action }))).toEqual([]);
    }
    const system = record({
      actor: { kind: 'system', id: 'routing-assignment' },
      source: { ip: null, userAgent: null },
    });
    expect(schemaViolations(AccessRecordedV1, system)).toEqual([]);
  });

  it('accepts an action it does not know yet, so a new action is not a breaking change', () => {
    expect(schemaViolations(AccessRecordedV1, record({ action: 'thread.printed' }))).toEqual([]);
  });

  it.each([
    ['an unknown actor kind', { actor: { kind: 'robot', id: 'x' } }],
    ['an actor without id', { actor: { kind: 'member' } }],
    ['an action that is not area.verb', { action: 'READ THREAD' }],
    ['a missing source', { source: undefined }],
    ['a user agent over 512 characters', { source: { ip: null, userAgent: 'x'.repeat(513) } }],
    ['a time that is not RFC 3339', { occurredAt: 'yesterday' }],
  ])('refuses %s', (_label, overrides) => {
    const data = JSON.parse(JSON.stringify(record(overrides)));
    expect(schemaViolations(AccessRecordedV1, data)).not.toEqual([]);
  });

  it('has no field that could carry PHI or a name', () => {
    const names = propertyNames(AccessRecordedV1.schema);
    for (const phi of ['subject', 'body', 'name', 'displayName', 'patientName']) {
      expect(names).not.toContain(phi);
    }
  });
});
