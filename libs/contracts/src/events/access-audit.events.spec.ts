import type { EventDefinition } from '../event-definition.js';
import { schemaViolations } from '../validation.js';
import {
  ACCESS_AUDIT_ACTIONS,
  AccessRecordedV1 as definition,
  AccessRecordedV2 as definitionV2,
  MAX_LISTED_THREADS,
  MAX_USER_AGENT_LENGTH,
} from './access-audit.events.js';

const AccessRecordedV1 = definition as EventDefinition<unknown>;
const AccessRecordedV2 = definitionV2 as EventDefinition<unknown>;

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

  it(`accepts a user agent over ${MAX_USER_AGENT_LENGTH} characters: the recording services' limit is not a wire rule`, () => {
    const source = { ip: null, userAgent: 'x'.repeat(MAX_USER_AGENT_LENGTH + 1) };
    expect(schemaViolations(AccessRecordedV1, record({ source }))).toEqual([]);
  });

  it.each([
    ['an unknown actor kind', { actor: { kind: 'robot', id: 'x' } }],
    ['an actor without id', { actor: { kind: 'member' } }],
    ['an action that is not area.verb', { action: 'READ THREAD' }],
    ['a missing source', { source: undefined }],
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

describe('AccessRecorded v2', () => {
  const read = (overrides: Record<string, unknown> = {}) =>
    record({
      threadIds: ['thr_1'],
      outcome: 'served',
      refusal: null,
      listing: null,
      ...overrides,
    });
  const listing = (overrides: Record<string, unknown> = {}) =>
    read({
      action: 'threads.listed',
      threadId: null,
      threadIds: ['thr_2', 'thr_1'],
      listing: { view: 'group-threads', groupId: 'grp_billing', filter: 'all', searched: false },
      ...overrides,
    });

  it('accepts a read, a refused read, a listing and an empty listing', () => {
    for (const data of [
      read(),
      read({ outcome: 'refused', refusal: 'thread-not-found' }),
      listing(),
      listing({
        action: 'mailbox.searched',
        threadIds: [],
        listing: { view: 'mailbox', groupId: null, filter: 'inbox', searched: true },
      }),
    ]) {
      expect(schemaViolations(AccessRecordedV2, data)).toEqual([]);
    }
  });

  it.each([
    [
      `more than ${MAX_LISTED_THREADS} threads (a product limit, not a wire rule)`,
      listing({
        threadIds: Array.from({ length: MAX_LISTED_THREADS + 1 }, (_, i) => `thr_${i}`),
      }),
    ],
    [
      'a view it does not know yet (an open enum)',
      listing({ listing: { view: 'trash', groupId: null, filter: null, searched: false } }),
    ],
    [
      'a refusal code it does not know yet (an open enum)',
      read({ outcome: 'refused', refusal: 'thread-archived' }),
    ],
  ])('accepts %s', (_label, data) => {
    expect(schemaViolations(AccessRecordedV2, data)).toEqual([]);
  });

  it.each([
    ['an unknown outcome (a closed enum)', { outcome: 'denied' }],
    ['a refusal that is not a problem code', { refusal: 'Not Found' }],
    ['a thread shown twice', { threadIds: ['thr_1', 'thr_1'] }],
    ['an empty view', { listing: { view: '', groupId: null, filter: null, searched: false } }],
    ['a listing without searched', { listing: { view: 'mailbox', groupId: null, filter: null } }],
    ['no outcome', { outcome: undefined }],
  ])('refuses %s', (_label, overrides) => {
    const data = JSON.parse(JSON.stringify(listing(overrides)));
    expect(schemaViolations(AccessRecordedV2, data)).not.toEqual([]);
  });

  it('has no field that could carry PHI, a name or the search text', () => {
    const names = propertyNames(AccessRecordedV2.schema);
    for (const phi of ['subject', 'body', 'name', 'displayName', 'patientName', 'q', 'search']) {
      expect(names).not.toContain(phi);
    }
  });
});
