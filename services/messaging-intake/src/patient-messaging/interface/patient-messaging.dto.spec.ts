import { bodyProblem, createValidationPipe } from '@gm/service-kit';
import { Ajv } from 'ajv';
import { messageBody, messageSubject } from '../domain/message-content.js';
import {
  FOLLOW_UP_SCHEMA,
  FollowUpDto,
  START_THREAD_SCHEMA,
  StartThreadDto,
} from './patient-messaging.dto.js';

/**
 * The documented body schemas are written by hand (patient-messaging.dto.ts):
 * they must take exactly what the validators and the domain's text rules
 * take, for a recipient that exists. Each case is judged by both.
 */

// `example` is OpenAPI's, not JSON Schema's.
const ajv = new Ajv({ strict: false, allErrors: true });
const documented = {
  start: ajv.compile(START_THREAD_SCHEMA),
  followUp: ajv.compile(FOLLOW_UP_SCHEMA),
};

/** practice-directory takes member ids of this form only: no other member can be on a To list. */
const DIRECTORY_ID = /^[A-Za-z0-9_.-]{1,128}$/;

async function valid<T extends object>(body: unknown, metatype: new () => T): Promise<T | null> {
  if (bodyProblem(body)) return null;
  try {
    return (await createValidationPipe().transform(body, { type: 'body', metatype })) as T;
  } catch {
    return null;
  }
}

/** Whether the service would send it, were the recipient on the To list. */
async function startAccepted(body: unknown): Promise<boolean> {
  const dto = await valid(body, StartThreadDto);
  if (!dto) return false;
  if (dto.recipient.kind === 'member' && !DIRECTORY_ID.test(dto.recipient.memberId ?? ''))
    return false;
  try {
    messageSubject(dto.subject);
    messageBody(dto.body);
    return true;
  } catch {
    return false;
  }
}

async function followUpAccepted(body: unknown): Promise<boolean> {
  const dto = await valid(body, FollowUpDto);
  if (!dto) return false;
  try {
    messageBody(dto.body);
    return true;
  } catch {
    return false;
  }
}

const toMember = { kind: 'member', memberId: 'mbr_dan' };
const start = (overrides: Record<string, unknown> = {}) => ({
  recipient: toMember,
  subject: 'Prescription refill',
  body: 'Could you renew it?',
  ...overrides,
});

const startCases: [string, unknown][] = [
  ['a message to a member', start()],
  ['a message to a group', start({ recipient: { kind: 'group', groupId: 'grp_1' } })],
  [
    'a group id of 128 characters',
    start({ recipient: { kind: 'group', groupId: 'g'.repeat(128) } }),
  ],
  [
    'a group id of 129 characters',
    start({ recipient: { kind: 'group', groupId: 'g'.repeat(129) } }),
  ],
  ['an empty group id', start({ recipient: { kind: 'group', groupId: '' } })],
  ['a group id with NUL', start({ recipient: { kind: 'group', groupId: 'g\u0000' } })],
  ['a member id of another form', start({ recipient: { kind: 'member', memberId: 'mbr dan' } })],
  [
    'a group and a member at once',
    start({ recipient: { kind: 'group', groupId: 'g', memberId: 'm' } }),
  ],
  ['a group without its id', start({ recipient: { kind: 'group', memberId: 'm' } })],
  ['a member without its id', start({ recipient: { kind: 'member' } })],
  ['an unknown recipient kind', start({ recipient: { kind: 'team', groupId: 'g' } })],
  ['an unknown recipient field', start({ recipient: { ...toMember, note: 'x' } })],
  ['a null recipient', start({ recipient: null })],
  ['no recipient', { subject: 's', body: 'b' }],
  ['a subject padded with blanks and tabs', start({ subject: ' \t\u3000Refill\n ' })],
  ['a one-character subject', start({ subject: 'R' })],
  ['a 200-character subject', start({ subject: `  ${'s'.repeat(200)}  ` })],
  ['a 201-character subject', start({ subject: 's'.repeat(201) })],
  ['200 emoji', start({ subject: '\u{1F600}'.repeat(200) })],
  ['a blank subject', start({ subject: ' \u00A0 ' })],
  ['a subject on two lines', start({ subject: 'Refill\nplease' })],
  ['a tab inside the subject', start({ subject: 'Refill\tplease' })],
  ['a C1 control in the subject', start({ subject: 'Refill\u0085' })],
  ['inner blanks', start({ subject: 'Refill \u2028 please' })],
  ['a subject that is not a string', start({ subject: 5 })],
  ['a body with line breaks and tabs', start({ body: '\tLine 1\r\nLine 2\n' })],
  ['a body of 20000 characters', start({ body: 'b'.repeat(20000) })],
  ['a body of 20001 characters', start({ body: 'b'.repeat(20001) })],
  ['a body of 20000 with blanks', start({ body: `${'b'.repeat(19999)} ` })],
  ['a blank body', start({ body: ' \n\t\uFEFF' })],
  ['an empty body', start({ body: '' })],
  ['a vertical tab in the body', start({ body: 'a\u000Bb' })],
  ['a DEL in the body', start({ body: 'a\u007Fb' })],
  ['a NUL in the body', start({ body: 'a\u0000' })],
  ['an unknown field', start({ urgent: true })],
  ['not an object', 'hello'],
];

const followUpCases: [string, unknown][] = [
  ['a follow-up', { body: 'Thanks!' }],
  ['a blank follow-up', { body: '  ' }],
  ['a follow-up with a form feed', { body: 'a\fb' }],
  ['a follow-up with a subject', { body: 'b', subject: 's' }],
  ['no body', {}],
];

describe('the documented send bodies', () => {
  it.each(startCases)('judge %s as the service does', async (_label, body) => {
    expect(documented.start(body)).toBe(await startAccepted(body));
  });

  it.each(followUpCases)('judge %s as the service does', async (_label, body) => {
    expect(documented.followUp(body)).toBe(await followUpAccepted(body));
  });

  // What JSON Schema cannot state: well-formed text.
  it('take a lone surrogate, which the service refuses', async () => {
    const body = start({ body: 'a\uD800' });
    expect(documented.start(body)).toBe(true);
    expect(await startAccepted(body)).toBe(false);
  });
});
