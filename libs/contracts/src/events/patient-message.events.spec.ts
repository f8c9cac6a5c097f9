/**
 * MessageSent v1 gained three optional fields (channel, facilityId,
 * categoryIds): its golden fixture carries them, and the records written
 * before them, which are on the topic already, still decode.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fromWireRecord } from '../codec.js';
import type { EventDefinition } from '../event-definition.js';
import { schemaViolations } from '../validation.js';
import { MessageSentV1 as definition, type PatientChannel } from './patient-message.events.js';

const MessageSentV1 = definition as EventDefinition<unknown>;

const fixture = JSON.parse(
  readFileSync(
    fileURLToPath(new URL('../../fixtures/gm.message.sent.v1.json', import.meta.url)),
    'utf8',
  ),
) as { key: string; headers: Record<string, string>; data: Record<string, unknown> };

const withoutSendContext = () => {
  const { channel: _c, facilityId: _f, categoryIds: _k, ...older } = fixture.data;
  return older;
};

describe('MessageSent v1', () => {
  it('has a golden fixture with the send context', () => {
    expect(fixture.data).toMatchObject({
      channel: 'mobile-app',
      facilityId: 'fac_downtown',
      categoryIds: ['cat_diabetes'],
    });
  });

  it('accepts a record written before the send context was recorded, and decodes it', () => {
    const older = withoutSendContext();
    expect(Object.keys(older)).not.toContain('channel');
    expect(schemaViolations(MessageSentV1, older)).toEqual([]);
    const envelope = fromWireRecord({
      key: fixture.key,
      value: JSON.stringify(older),
      headers: fixture.headers,
    });
    expect(envelope.data).toStrictEqual(older);
  });

  it.each([
    ['each field on its own', { channel: 'phr-web' }],
    ['a patient without facility or categories', { facilityId: null, categoryIds: [] }],
    ['a channel it does not know yet (an open enum)', { channel: 'smart-speaker' }],
    ['a subject and body longer than the product allows today', { subject: 'S'.repeat(201) }],
  ])('accepts %s', (_label, fields) => {
    expect(schemaViolations(MessageSentV1, { ...withoutSendContext(), ...fields })).toEqual([]);
  });

  it.each([
    ['an empty channel', { channel: '' }],
    ['a facility that is not an id', { facilityId: 42 }],
    ['a category listed twice', { categoryIds: ['cat_a', 'cat_a'] }],
    ['a category that is not an id', { categoryIds: [''] }],
  ])('refuses %s', (_label, fields) => {
    expect(schemaViolations(MessageSentV1, { ...fixture.data, ...fields })).not.toEqual([]);
  });

  it('types the channel as its known apps or any other', () => {
    const channels: PatientChannel[] = ['phr-web', 'mobile-app', 'branded-app', 'unknown', 'kiosk'];
    expect(channels).toHaveLength(5);
  });
});
