/**
 * A group's quick replies (GET/PUT /message-groups/:groupId/quick-replies)
 * against the real servers: the directory replica fed over Kafka, groups
 * created through the API, the templates stored in FerretDB. Every refusal is
 * checked to have stored nothing; no write publishes anything (no other
 * service reads templates).
 */
import { mintToken, type ActorKind } from '@gm/auth';
import { PRIVILEGES, TOPICS } from '@gm/contracts';
import { DirectoryReplica } from '@gm/directory-replica';
import { EventsOnTopic, ServiceTestBed, TEST_JWT_SECRET, uniqueName, waitFor } from '@gm/testing';
import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { AppModule } from '../app.module.js';
import { loadConfig } from '../config.js';
import { SERVICE } from '../service.js';
import { QUICK_REPLIES_COLLECTION } from './infrastructure/quick-replies.repository.js';

const practice = uniqueName('prc_qr');
const otherPractice = uniqueName('prc_qr_other');

const bed = new ServiceTestBed(
  { appModule: (c) => AppModule.forConfig(c), loadConfig, description: SERVICE },
  'group-config-quick-replies-it',
);
let app: INestApplication;
let groupEvents: EventsOnTopic;
let workflowEvents: EventsOnTopic;

const http = () => request(app.getHttpServer());

async function as(sub: string, practiceId = practice, actor: ActorKind = 'member') {
  return `Bearer ${await mintToken(TEST_JWT_SECRET, { sub, practiceId, actor })}`;
}

/** mbr_settings holds Practice Access and belongs to no group; the others hold no privilege. */
const MEMBERS = ['mbr_admin', 'mbr_user', 'mbr_outsider', 'mbr_leaving'];

beforeAll(async () => {
  await bed.connect();
  for (const [practiceId, admin] of [
    [practice, 'mbr_settings'],
    [otherPractice, 'mbr_other_settings'],
  ] as const) {
    const feed = bed.directory(practiceId);
    await feed.practice({ name: 'Riverside', plan: 'paid' });
    await feed.role({
      roleId: 'role_manager',
      name: 'Office Manager',
      privileges: [PRIVILEGES.messageGroupsSettings],
    });
    await feed.role({ roleId: 'role_staff', name: 'Staff', privileges: [] });
    await feed.member({
      memberId: admin,
      displayName: 'Settings Admin',
      roleId: 'role_manager',
      active: true,
    });
  }
  const feed = bed.directory(practice);
  for (const memberId of MEMBERS) {
    await feed.member({
      memberId,
      displayName: `Staff ${memberId}`,
      roleId: 'role_staff',
      active: true,
    });
  }
  // The other practice has an mbr_admin too, Admin of a group of its own.
  await bed.directory(otherPractice).member({
    memberId: 'mbr_admin',
    displayName: 'Staff mbr_admin',
    roleId: 'role_staff',
    active: true,
  });
  app = await bed.start();
  groupEvents = await bed.observe(TOPICS.messageGroups.name, practice);
  workflowEvents = await bed.observe(TOPICS.groupWorkflows.name, practice);
  const replica = app.get(DirectoryReplica);
  await bed.untilReplicated(
    () => [
      replica.practice(practice),
      replica.role(practice, 'role_manager'),
      replica.role(otherPractice, 'role_manager'),
      replica.member(practice, 'mbr_settings'),
      replica.member(otherPractice, 'mbr_other_settings'),
      replica.member(otherPractice, 'mbr_admin'),
      replica.members(practice, MEMBERS).then((found) => found.length === MEMBERS.length),
    ],
    { timeoutMs: 30000, description: 'the directory replica to catch up' },
  );
});

afterAll(() => bed.stop());

const ADMIN_AND_USER = [
  { memberId: 'mbr_admin', privilege: 'admin' },
  { memberId: 'mbr_user', privilege: 'user' },
];

/** A group created by the Practice Access holder; by default mbr_admin is its Admin and mbr_user its User. */
async function createGroup(members = ADMIN_AND_USER, practiceId = practice): Promise<string> {
  const settings = practiceId === practice ? 'mbr_settings' : 'mbr_other_settings';
  const created = await http()
    .post('/message-groups')
    .set('authorization', await as(settings, practiceId))
    .send({ name: uniqueName('Front Office'), recipientMode: 'specific-members', members })
    .expect(201);
  return created.body.groupId;
}

const quickRepliesOf = (groupId: string) => `/message-groups/${groupId}/quick-replies`;

const QR_ID = expect.stringMatching(
  /^qr_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
);

const STATEMENT = {
  title: '  Statement corrected ',
  text: 'Dear patient,\n\nyour statement is corrected; the new one is in the mail.\n',
};
const CALL_US = { title: 'Call us', text: '\tPlease call the office at your convenience.  ' };

interface QuickReply {
  quickReplyId: string;
  title: string;
  text: string;
}

/** Tokens of this practice's members, minted once, so that a request can be built synchronously. */
const tokens: Record<string, string> = {};
beforeAll(async () => {
  for (const who of [...MEMBERS, 'mbr_settings']) tokens[who] = await as(who);
});

function put(
  groupId: string,
  quickReplies: unknown,
  { who = 'mbr_admin', ifMatch }: { who?: string; ifMatch?: string } = {},
) {
  const call = http().put(quickRepliesOf(groupId)).set('authorization', tokens[who]!);
  if (ifMatch !== undefined) call.set('if-match', ifMatch);
  return call.send({ quickReplies });
}

async function read(groupId: string, who = 'mbr_user') {
  return http()
    .get(quickRepliesOf(groupId))
    .set('authorization', await as(who))
    .expect(200);
}

/** Templates as the API answers them, to send back. */
const listOf = (body: { quickReplies: QuickReply[] }) => body.quickReplies;

describe('a group that never set quick replies', () => {
  it('has none at version 0, with ETag "0"', async () => {
    const groupId = await createGroup();
    const answer = await read(groupId);
    expect(answer.body).toEqual({ groupId, version: 0, quickReplies: [] });
    expect(answer.headers.etag).toBe('"0"');
  });
});

describe('replacing the quick replies', () => {
  it("by an Admin stores them in the Admins' order, titles trimmed and texts as written, answers the view with its ETag; the group's Users read them", async () => {
    const groupId = await createGroup();
    const saved = await put(groupId, [STATEMENT, CALL_US], { ifMatch: '"0"' }).expect(200);
    expect(saved.body).toEqual({
      groupId,
      version: 1,
      quickReplies: [
        { quickReplyId: QR_ID, title: 'Statement corrected', text: STATEMENT.text },
        { quickReplyId: QR_ID, title: 'Call us', text: CALL_US.text },
      ],
    });
    expect(saved.body.quickReplies[0].quickReplyId).not.toBe(
      saved.body.quickReplies[1].quickReplyId,
    );
    expect(saved.headers.etag).toBe('"1"');

    const byUser = await read(groupId, 'mbr_user');
    expect(byUser.body).toEqual(saved.body);
    expect(byUser.headers.etag).toBe('"1"');
    expect((await read(groupId, 'mbr_settings')).body).toEqual(saved.body);
  });

  it('takes the limits: 100 templates, a 100-character title, a 20,000-character text, emoji counted as characters', async () => {
    const groupId = await createGroup();
    const many = Array.from({ length: 100 }, (_, i) => ({
      title: `Template ${i}`,
      text: `Text ${i}`,
    }));
    const hundred = await put(groupId, many).expect(200);
    expect(listOf(hundred.body).map((q) => q.title)).toEqual(many.map((q) => q.title));
    const longest = [
      { title: 't'.repeat(100), text: 'x'.repeat(20_000) },
      { title: '\u{1F600}'.repeat(100), text: '\u{1F600}'.repeat(10_000) },
    ];
    const saved = await put(groupId, longest, { ifMatch: '"1"' }).expect(200);
    expect(saved.body).toEqual({
      groupId,
      version: 2,
      quickReplies: longest.map((q) => ({ quickReplyId: QR_ID, ...q })),
    });
    expect((await read(groupId)).body).toEqual(saved.body);
  });

  it('that changes nothing stores nothing and answers the stored version; templates sent with their id keep it, new ones get a fresh id', async () => {
    const groupId = await createGroup();
    // No templates, for a group that never set any: version 0 stays.
    const none = await put(groupId, [], { ifMatch: '"0"' }).expect(200);
    expect(none.body).toEqual({ groupId, version: 0, quickReplies: [] });
    expect(none.headers.etag).toBe('"0"');

    const first = await put(groupId, [STATEMENT, CALL_US]).expect(200);
    const [statement, callUs] = listOf(first.body) as [QuickReply, QuickReply];
    // The list as answered, sent back: nothing changes.
    const same = await put(groupId, listOf(first.body), { ifMatch: '"1"' }).expect(200);
    expect(same.body).toEqual(first.body);
    expect(same.headers.etag).toBe('"1"');
    // The list as first sent, without ids (and the title's blanks): nothing changes either.
    const again = await put(groupId, [STATEMENT, CALL_US], { ifMatch: '"1"' }).expect(200);
    expect(again.body).toEqual(first.body);

    // Reordered: a change; the ids stay with their templates.
    const reordered = await put(groupId, [callUs, statement], { ifMatch: '"1"' }).expect(200);
    expect(reordered.body).toEqual({ groupId, version: 2, quickReplies: [callUs, statement] });

    // Edited through its id, and a new one: the edited keeps its id, the new gets a fresh one.
    const edited = { ...callUs, title: 'Call us back', text: 'Please call us back.' };
    const added = { title: 'Lab results', text: 'Your results are in your chart.' };
    const changed = await put(groupId, [edited, statement, added], { ifMatch: '"2"' }).expect(200);
    expect(changed.body).toEqual({
      groupId,
      version: 3,
      quickReplies: [edited, statement, { quickReplyId: QR_ID, ...added }],
    });
    const newId = listOf(changed.body)[2]!.quickReplyId;
    expect([statement.quickReplyId, callUs.quickReplyId]).not.toContain(newId);

    // Removed: gone, and its id is unknown from then on.
    const removed = await put(groupId, [statement], { ifMatch: '"3"' }).expect(200);
    expect(removed.body).toEqual({ groupId, version: 4, quickReplies: [statement] });
    const stale = await put(groupId, [statement, edited], { ifMatch: '"4"' }).expect(422);
    expect(stale.body.code).toBe('unknown-quick-reply');

    // Its title and text sent again without an id: a new template, with a new id.
    const readded = await put(groupId, [statement, { title: edited.title, text: edited.text }], {
      ifMatch: '"4"',
    }).expect(200);
    expect(listOf(readded.body)[1]!.quickReplyId).not.toBe(callUs.quickReplyId);
    expect(readded.body.version).toBe(5);

    // Cleared, then cleared again: one change.
    const cleared = await put(groupId, [], { ifMatch: '"5"' }).expect(200);
    expect(cleared.body).toEqual({ groupId, version: 6, quickReplies: [] });
    const clearedAgain = await put(groupId, [], { ifMatch: '"6"' }).expect(200);
    expect(clearedAgain.body).toEqual(cleared.body);
    expect((await read(groupId)).body).toEqual(cleared.body);
  });

  it('stores one document per group, without an outbox, and publishes nothing', async () => {
    const groupId = await createGroup();
    await put(groupId, [STATEMENT]).expect(200);
    await put(groupId, [STATEMENT, CALL_US]).expect(200);
    const documents = app
      .get<Connection>(getConnectionToken())
      .collection(QUICK_REPLIES_COLLECTION);
    const stored = await documents.find({ groupId }).toArray();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      _id: `${practice}:${groupId}`,
      practiceId: practice,
      version: 2,
    });
    expect(Object.keys(stored[0]!).filter((key) => key.startsWith('_outbox'))).toEqual([]);
    // The group's creation is on the groups topic; nothing more of it on any topic group-config publishes.
    await waitFor(
      async () => groupEvents.events.filter((e) => e.subject === groupId),
      (events) => events.length >= 1,
      { description: `the MessageGroupCreated of ${groupId}` },
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(groupEvents.events.filter((e) => e.subject === groupId)).toHaveLength(1);
    expect(workflowEvents.events.filter((e) => e.subject === groupId)).toEqual([]);
  });

  it('with a stale If-Match is 409 quick-replies-changed-meanwhile and changes nothing; a malformed one is 400', async () => {
    const groupId = await createGroup();
    const saved = await put(groupId, [STATEMENT]).expect(200);
    for (const stale of ['"0"', '"2"', 'W/"7"']) {
      const refused = await put(groupId, [CALL_US], { ifMatch: stale }).expect(409);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(refused.body.code).toBe('quick-replies-changed-meanwhile');
    }
    const malformed = await put(groupId, [CALL_US], { ifMatch: 'not-a-version' }).expect(400);
    expect(malformed.body.code).toBe('invalid-if-match');
    // The weak form of the current version is the version.
    const weak = await put(groupId, listOf(saved.body), { ifMatch: 'W/"1"' }).expect(200);
    expect(weak.body).toEqual(saved.body);
    expect((await read(groupId)).body).toEqual(saved.body);
  });

  it('lets exactly one of concurrent changes from the same version win', async () => {
    const groupId = await createGroup();
    // The first write (an insert) and a later one (a compare-and-set).
    for (const version of [0, 1]) {
      const attempts = await Promise.all(
        [1, 2, 3, 4].map((n) =>
          put(groupId, [{ title: `Race ${version}.${n}`, text: 'x' }], { ifMatch: `"${version}"` }),
        ),
      );
      expect(attempts.map((a) => a.status).sort()).toEqual([200, 409, 409, 409]);
      const winner = attempts.find((a) => a.status === 200)!;
      expect((await read(groupId)).body).toEqual(winner.body);
    }
    expect((await read(groupId)).body.version).toBe(2);
  });

  it("another group's template id is unknown here", async () => {
    const [a, b] = [await createGroup(), await createGroup()];
    const theirs = listOf((await put(b, [STATEMENT]).expect(200)).body)[0]!;
    const refused = await put(a, [theirs]).expect(422);
    expect(refused.body.code).toBe('unknown-quick-reply');
    expect((await read(a)).body).toEqual({ groupId: a, version: 0, quickReplies: [] });
  });
});

describe('who sees and changes quick replies', () => {
  let groupId: string;
  beforeAll(async () => {
    groupId = await createGroup();
  });

  const status = async (method: 'get' | 'put', authorization: string, id = groupId) => {
    const call = http()[method](quickRepliesOf(id)).set('authorization', authorization);
    const response = method === 'put' ? await call.send({ quickReplies: [CALL_US] }) : await call;
    if (response.status >= 400) {
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
    return `${response.status} ${response.body.code ?? ''}`.trim();
  };

  it('the group members read them; its Admins and Practice Access holders change them; others are 403', async () => {
    expect(await status('get', await as('mbr_admin'))).toBe('200');
    expect(await status('get', await as('mbr_user'))).toBe('200');
    expect(await status('get', await as('mbr_settings'))).toBe('200');
    expect(await status('get', await as('mbr_outsider'))).toBe('403 group-member-required');

    expect(await status('put', await as('mbr_user'))).toBe('403 group-admin-required');
    expect(await status('put', await as('mbr_outsider'))).toBe('403 group-admin-required');
    expect(await status('put', await as('mbr_settings'))).toBe('200');
    expect(await status('put', await as('mbr_admin'))).toBe('200');
    // The refusals stored nothing: one change (the Practice Access holder's), the Admin's was the same.
    const answer = await read(groupId);
    expect(answer.body).toEqual({
      groupId,
      version: 1,
      quickReplies: [{ quickReplyId: QR_ID, ...CALL_US }],
    });
  });

  it('a deactivated Admin of the group, a patient and a system client are refused', async () => {
    const theirs = await createGroup([
      ...ADMIN_AND_USER,
      { memberId: 'mbr_leaving', privilege: 'admin' },
    ]);
    expect(await status('get', await as('mbr_leaving'), theirs)).toBe('200');
    await bed.directory(practice).member({
      memberId: 'mbr_leaving',
      displayName: 'Staff mbr_leaving',
      roleId: 'role_staff',
      active: false,
    });
    await waitFor(
      () => app.get(DirectoryReplica).member(practice, 'mbr_leaving'),
      (member) => member?.active === false,
      { description: 'the deactivation to reach the replica' },
    );
    expect(await status('get', await as('mbr_leaving'), theirs)).toBe('403 group-member-required');
    expect(await status('put', await as('mbr_leaving'), theirs)).toBe('403 group-admin-required');
    expect((await read(theirs)).body.version).toBe(0);

    expect(await status('get', await as('pat_a', practice, 'patient'))).toBe(
      '403 actor-not-allowed',
    );
    expect(await status('put', await as('pat_a', practice, 'patient'))).toBe(
      '403 actor-not-allowed',
    );
    expect(await status('get', await as('sys_ehr', practice, 'system'))).toBe(
      '403 actor-not-allowed',
    );
    expect(await status('put', await as('sys_ehr', practice, 'system'))).toBe(
      '403 actor-not-allowed',
    );
    expect((await http().get(quickRepliesOf(groupId))).status).toBe(401);
    expect((await http().put(quickRepliesOf(groupId)).send({ quickReplies: [] })).status).toBe(401);
  });

  it("another practice's group, an unknown group and a deleted group are 404 group-not-found, even to Practice Access holders", async () => {
    const outsider = await as('mbr_other_settings', otherPractice);
    const unknown = `grp_${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}`;
    const missing = await http()
      .get(quickRepliesOf(unknown))
      .set('authorization', outsider)
      .expect(404);
    const foreign = await http()
      .get(quickRepliesOf(groupId))
      .set('authorization', outsider)
      .expect(404);
    expect(foreign.body).toEqual({
      ...missing.body,
      detail: expect.any(String),
      instance: expect.any(String),
    });
    expect(await status('get', outsider)).toBe('404 group-not-found');
    expect(await status('put', outsider)).toBe('404 group-not-found');
    // The same member id, Admin of a group in the other practice, is nobody here.
    await createGroup([{ memberId: 'mbr_admin', privilege: 'admin' }], otherPractice);
    expect(await status('put', await as('mbr_admin', otherPractice))).toBe('404 group-not-found');
    expect(await status('get', await as('mbr_settings'), unknown)).toBe('404 group-not-found');
    expect(await status('put', await as('mbr_settings'), unknown)).toBe('404 group-not-found');
    expect(await status('get', await as('mbr_outsider'), unknown)).toBe('404 group-not-found');

    // A deleted group's templates go with it: its routes are 404, to its Admin and to Practice Access.
    const deleted = await createGroup();
    await put(deleted, [STATEMENT]).expect(200);
    await http()
      .delete(`/message-groups/${deleted}`)
      .set('authorization', await as('mbr_settings'))
      .expect(204);
    expect(await status('get', await as('mbr_admin'), deleted)).toBe('404 group-not-found');
    expect(await status('get', await as('mbr_settings'), deleted)).toBe('404 group-not-found');
    expect(await status('put', await as('mbr_admin'), deleted)).toBe('404 group-not-found');
    expect(await status('put', await as('mbr_settings'), deleted)).toBe('404 group-not-found');
    expect((await read(groupId)).body.version).toBe(1);
  });
});

describe('a replacement that breaks a rule', () => {
  let groupId: string;
  let stored: { groupId: string; version: number; quickReplies: QuickReply[] };
  beforeAll(async () => {
    groupId = await createGroup();
    stored = (await put(groupId, [STATEMENT, CALL_US]).expect(200)).body;
  });

  const template = (overrides: Record<string, unknown> = {}) => ({ ...CALL_US, ...overrides });
  const unknownId = () => `qr_${randomUUID()}`;

  /** Each case's body, made once the group's templates exist. */
  const refusals: [string, () => unknown, number, string][] = [
    [
      '101 templates',
      () => ({
        quickReplies: Array.from({ length: 101 }, (_, i) => ({ title: `T${i}`, text: 'x' })),
      }),
      422,
      'too-many-quick-replies',
    ],
    [
      'an empty title',
      () => ({ quickReplies: [template({ title: '' })] }),
      422,
      'invalid-quick-reply-title',
    ],
    [
      'a title of blanks',
      () => ({ quickReplies: [template({ title: ' \u00a0 ' })] }),
      422,
      'invalid-quick-reply-title',
    ],
    [
      'a title of 101 characters',
      () => ({ quickReplies: [template({ title: 'x'.repeat(101) })] }),
      422,
      'invalid-quick-reply-title',
    ],
    [
      'a line break in a title',
      () => ({ quickReplies: [template({ title: 'Call\nus' })] }),
      422,
      'invalid-quick-reply-title',
    ],
    [
      'a control character in a title',
      () => ({ quickReplies: [template({ title: 'Call\u0007us' })] }),
      422,
      'invalid-quick-reply-title',
    ],
    [
      'a text-direction override in a title',
      () => ({ quickReplies: [template({ title: 'Invoice \u202egnp.exe' })] }),
      422,
      'invalid-quick-reply-title',
    ],
    [
      'an empty text',
      () => ({ quickReplies: [template({ text: '' })] }),
      422,
      'invalid-quick-reply-text',
    ],
    [
      'a text of blanks and line breaks',
      () => ({ quickReplies: [template({ text: ' \n\t ' })] }),
      422,
      'invalid-quick-reply-text',
    ],
    [
      'a control character in a text',
      () => ({ quickReplies: [template({ text: 'Bell\u0007' })] }),
      422,
      'invalid-quick-reply-text',
    ],
    [
      'DEL in a text',
      () => ({ quickReplies: [template({ text: 'a\u007fb' })] }),
      422,
      'invalid-quick-reply-text',
    ],
    [
      'a text of 20,001 characters',
      () => ({ quickReplies: [template({ text: 'x'.repeat(20_001) })] }),
      422,
      'quick-reply-too-long',
    ],
    [
      'the same title twice, in another case and with blanks',
      () => ({ quickReplies: [template(), template({ title: '  CALL  us ', text: 'Other' })] }),
      422,
      'duplicate-quick-reply-title',
    ],
    [
      "a title taken by a template of the group's, sent with its id",
      () => ({
        quickReplies: [stored.quickReplies[0]!, template({ title: 'statement corrected' })],
      }),
      422,
      'duplicate-quick-reply-title',
    ],
    [
      'an id the group never had',
      () => ({ quickReplies: [template({ quickReplyId: unknownId() })] }),
      422,
      'unknown-quick-reply',
    ],
    [
      'a template sent twice with its id',
      () => ({
        quickReplies: [
          stored.quickReplies[0]!,
          { ...stored.quickReplies[0]!, title: 'Another title' },
        ],
      }),
      422,
      'duplicate-quick-reply-id',
    ],
    [
      'an array in place of a template',
      () => ({ quickReplies: [[template()]] }),
      422,
      'validation-failed',
    ],
    [
      'an id not of the form this service gives',
      () => ({ quickReplies: [template({ quickReplyId: 'my-template' })] }),
      422,
      'validation-failed',
    ],
    [
      'an empty id',
      () => ({ quickReplies: [template({ quickReplyId: '' })] }),
      422,
      'validation-failed',
    ],
    [
      'an id of null',
      () => ({ quickReplies: [template({ quickReplyId: null })] }),
      422,
      'validation-failed',
    ],
    [
      'an id as a number',
      () => ({ quickReplies: [template({ quickReplyId: 7 })] }),
      422,
      'validation-failed',
    ],
    ['a title left out', () => ({ quickReplies: [{ text: 'x' }] }), 422, 'validation-failed'],
    ['a text left out', () => ({ quickReplies: [{ title: 'x' }] }), 422, 'validation-failed'],
    [
      'a text as a number',
      () => ({ quickReplies: [template({ text: 42 })] }),
      422,
      'validation-failed',
    ],
    [
      'a title of null',
      () => ({ quickReplies: [template({ title: null })] }),
      422,
      'validation-failed',
    ],
    [
      'an unknown field',
      () => ({ quickReplies: [template()], shared: true }),
      422,
      'validation-failed',
    ],
    [
      'an unknown field in a template',
      () => ({ quickReplies: [template({ position: 1 })] }),
      422,
      'validation-failed',
    ],
    ['quickReplies as an object', () => ({ quickReplies: template() }), 422, 'validation-failed'],
    ['a template as a string', () => ({ quickReplies: ['Call us'] }), 422, 'validation-failed'],
    ['quickReplies as null', () => ({ quickReplies: null }), 422, 'validation-failed'],
    ['an empty body', () => ({}), 422, 'validation-failed'],
    [
      'NUL in a text',
      () => ({ quickReplies: [template({ text: 'a\u0000b' })] }),
      422,
      'invalid-text',
    ],
  ];

  it.each(refusals.map(([label, body, status, code]) => [label, status, code, body] as const))(
    '%s: %d %s, nothing stored',
    async (_label, status, code, body) => {
      const response = await http()
        .put(quickRepliesOf(groupId))
        .set('authorization', await as('mbr_admin'))
        .set('if-match', '"1"')
        .send(body() as object)
        .expect(status);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.body).toMatchObject({ status, code });
      const after = await read(groupId);
      expect(after.body).toEqual(stored);
      expect(after.headers.etag).toBe('"1"');
    },
  );

  it('malformed JSON is 400 malformed-body', async () => {
    const response = await http()
      .put(quickRepliesOf(groupId))
      .set('authorization', await as('mbr_admin'))
      .set('content-type', 'application/json')
      .send('{"quickReplies": [')
      .expect(400);
    expect(response.body.code).toBe('malformed-body');
    expect((await read(groupId)).body).toEqual(stored);
  });
});
