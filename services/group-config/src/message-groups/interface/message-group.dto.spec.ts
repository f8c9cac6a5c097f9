import { bodyProblem, createValidationPipe } from '@gm/service-kit';
import { Ajv } from 'ajv';
import { checkMessageGroup, type PracticeFacts } from '../domain/message-group.js';
import { MESSAGE_GROUP_SCHEMA, MessageGroupDto, toDraft } from './message-group.dto.js';

/**
 * The documented body schema is written by hand (message-group.dto.ts): it
 * must take exactly what the validators and the domain take, given a
 * practice where every id exists. Each case is judged by both.
 */

// `example` and `nullable` are OpenAPI's; ajv's OpenAPI mode reads `nullable`.
const ajv = new Ajv({ strict: false, allErrors: true });
const documented = ajv.compile(MESSAGE_GROUP_SCHEMA);

/** practice-directory takes ids of this form only (its ID rule). */
const DIRECTORY_ID = /^[A-Za-z0-9_.-]{1,128}$/;

/** Every id the directory could hold exists and is active: only the body's own rules remain. */
const everythingExists: PracticeFacts = {
  plan: 'paid',
  facilityExists: async (id) => DIRECTORY_ID.test(id),
  patientCategoryExists: async (id) => DIRECTORY_ID.test(id),
  memberStatuses: async (ids) =>
    new Map(ids.map((id) => [id, DIRECTORY_ID.test(id) ? 'active' : 'unknown'])),
};

async function accepted(body: unknown): Promise<boolean> {
  if (bodyProblem(body)) return false;
  let dto: MessageGroupDto;
  try {
    dto = await createValidationPipe().transform(body, { type: 'body', metatype: MessageGroupDto });
  } catch {
    return false;
  }
  try {
    await checkMessageGroup('prc_1', 'grp_1', toDraft(dto), everythingExists);
    return true;
  } catch {
    return false;
  }
}

const admin = (memberId = 'mbr_a') => ({ memberId, privilege: 'admin' });
const user = (memberId = 'mbr_u') => ({ memberId, privilege: 'user' });
const group = (overrides: Record<string, unknown> = {}) => ({
  name: 'Billing Team',
  recipientMode: 'specific-members',
  members: [admin(), user()],
  ...overrides,
});
const many = (count: number, make: (id: string) => object) =>
  Array.from({ length: count }, (_, i) => make(`mbr_${i}`));

const cases: [string, unknown][] = [
  ['a plain group', group()],
  [
    'every optional field',
    group({ description: 'd', facilityId: 'fac_1', patientCategoryId: 'cat_1' }),
  ],
  ['null optional fields', group({ description: null, facilityId: null, patientCategoryId: null })],
  ['a name padded with blanks', group({ name: ' \t\u3000Billing Team\n\uFEFF' })],
  ['a one-character name', group({ name: 'B' })],
  ['a 100-character name', group({ name: 'x'.repeat(100) })],
  ['100 emoji', group({ name: '\u{1F600}'.repeat(100) })],
  ['a 101-character name', group({ name: 'x'.repeat(101) })],
  ['a 100-character name padded to 300', group({ name: `${'x'.repeat(100)}${' '.repeat(200)}` })],
  ['a 100-character name padded to 301', group({ name: `${'x'.repeat(100)}${' '.repeat(201)}` })],
  ['a blank name', group({ name: ' \u00A0 ' })],
  ['an empty name', group({ name: '' })],
  ['inner spaces', group({ name: 'Billing \u2028 Team' })],
  ['a tab inside the name', group({ name: 'Billing\tTeam' })],
  ['a C1 control', group({ name: 'Billing\u0085Team' })],
  ['a bidi override', group({ name: 'Invoice \u202Egnp.exe' })],
  ['a bidi isolate', group({ name: 'Billing \u2066Team' })],
  ['a zero-width space', group({ name: 'Bil\u200Bling' })],
  ['a NUL in the name', group({ name: 'Bill\u0000' })],
  ['a name that is not a string', group({ name: 7 })],
  ['a 500-character description', group({ description: `  ${'d'.repeat(500)}\n` })],
  ['a 501-character description', group({ description: 'd'.repeat(501) })],
  ['a blank description', group({ description: ' \n ' })],
  ['a description with controls', group({ description: 'a\u0007b' })],
  ['a NUL in the description', group({ description: 'a\u0000' })],
  ['a description of 2001 with blanks', group({ description: `d${' '.repeat(2000)}` })],
  ['a facility id of another form', group({ facilityId: 'fac 1' })],
  ['an empty facility id', group({ facilityId: '' })],
  ['a category id that is not a string', group({ patientCategoryId: 3 })],
  ['no members', group({ members: [] })],
  ['ten members', group({ members: many(10, admin) })],
  ['eleven members', group({ members: many(11, admin) })],
  ['Users only', group({ members: [user('a'), user('b')] })],
  ['one Admin', group({ members: [admin()] })],
  ['a member listed twice alike', group({ members: [admin(), admin()] })],
  ['a member id of another form', group({ members: [admin('mbr/1')] })],
  ['an unknown privilege', group({ members: [{ memberId: 'm', privilege: 'owner' }] })],
  ['a member with an extra field', group({ members: [{ ...admin(), role: 'x' }] })],
  ['a member without privilege', group({ members: [{ memberId: 'm' }] })],
  [
    'a care-team group of Admins',
    group({ recipientMode: 'care-team', members: [admin('a'), admin('b')] }),
  ],
  [
    'a care-team group with a User',
    group({ recipientMode: 'care-team', members: [admin(), user()] }),
  ],
  ['an unknown recipient mode', group({ recipientMode: 'everyone' })],
  ['an unknown field', group({ colour: 'red' })],
  ['no name', { recipientMode: 'care-team', members: [admin()] }],
  ['no members field', { name: 'B', recipientMode: 'care-team' }],
  ['not an object', ['Billing Team']],
];

describe('the documented message group body', () => {
  it.each(cases)('judges %s as the service does', async (_label, body) => {
    expect(documented(body)).toBe(await accepted(body));
  });

  // What JSON Schema cannot state: a member id once whatever the privileges, and well-formed text.
  it.each([
    ['a member listed as Admin and User', group({ members: [admin('m'), user('m')] })],
    ['a lone surrogate', group({ name: 'Bill\uD800' })],
  ])('takes %s, which the service refuses', async (_label, body) => {
    expect(documented(body)).toBe(true);
    expect(await accepted(body)).toBe(false);
  });
});
