/**
 * The product description, walked over HTTP only, in a practice of its own:
 * the EHR feed loads the directory, a practice admin sets up message groups
 * and PHR preferences, patients see their To list and write, the group's
 * Admin assigns, Users answer what is theirs, follow-ups reopen a thread,
 * Trash and restore, care-team groups, direct messages, exclusions at send
 * time, and what each side then finds in its inbox (the read model). Steps run
 * in order and build on each other.
 */
import { PRIVILEGES, TOPICS } from '@gm/contracts';
import { answered, call, describeAnswer, eventually, type Answer } from './harness/http.js';
import { directoryBundle, type PracticeFixture } from './harness/fixtures.js';
import { openFeed, type Feed } from './harness/inbox.js';
import { kafkaOf, observe } from './harness/kafka.js';
import { toListIds } from './harness/seed.js';
import {
  patientSends,
  phiText,
  routed,
  summarize,
  timeline,
  world,
  type Sent,
  type Timeline,
} from './harness/world.js';

const w = world();
const P = `prc_st_walk_${w.run.runId}`;

const WALK: PracticeFixture = {
  practiceId: P,
  name: 'Riverside Walk Practice',
  plan: 'paid',
  surname: 'Walker',
  systemId: 'sys_ehr_feed',
  settingsAdmin: 'mbr_alice',
  facilities: [
    { id: 'fac_downtown', name: 'Downtown Clinic' },
    { id: 'fac_north', name: 'North Clinic' },
  ],
  patientCategories: [{ id: 'cat_diabetes', name: 'Diabetes Program Patients' }],
  roles: [
    {
      id: 'role_practice_admin',
      name: 'Practice Admin',
      privileges: [PRIVILEGES.messageGroupsSettings, PRIVILEGES.phrSettings, PRIVILEGES.auditRead],
    },
    { id: 'role_front_desk', name: 'Front Desk', privileges: [] },
  ],
  members: Object.fromEntries(
    (
      [
        ['alice', 'Alice Walker', 'role_practice_admin', true],
        ['gary', 'Gary Walker', 'role_front_desk', true],
        ['uma', 'Uma Walker', null, true],
        ['vic', 'Vic Walker', null, true],
        ['dan', 'Dan Walker', null, true],
        ['carol', 'Carol Walker', null, true],
        ['erin', 'Erin Walker', null, true],
        ['frank', 'Frank Walker', null, false],
      ] as const
    ).map(([key, displayName, roleId, active]) => [
      key,
      { id: `mbr_${key}`, displayName, roleId, active },
    ]),
  ),
  patients: {
    ruth: {
      id: 'pat_ruth',
      displayName: 'Ruth Walker',
      facilityId: 'fac_downtown',
      categoryIds: ['cat_diabetes'],
      careTeamMemberIds: ['mbr_dan'],
    },
    sam: {
      id: 'pat_sam',
      displayName: 'Sam Walker',
      facilityId: 'fac_north',
      categoryIds: [],
      careTeamMemberIds: ['mbr_dan'],
    },
  },
  groups: {},
  phr: {
    allowPatientMessages: true,
    patientMessagePreference: 'groups-and-members',
    memberRecipients: 'all-members',
    excludedMemberIds: ['mbr_carol'],
  },
};

const GROUPS = {
  billing: {
    name: 'Billing Team',
    description: 'Use this group to send your billing-related queries',
    facilityId: null,
    patientCategoryId: null,
    recipientMode: 'specific-members',
    members: [
      { memberId: 'mbr_gary', privilege: 'admin' },
      { memberId: 'mbr_uma', privilege: 'user' },
      { memberId: 'mbr_vic', privilege: 'user' },
    ],
  },
  lab: {
    name: 'Lab Services',
    description: 'Lab orders and results at the North Clinic',
    facilityId: 'fac_north',
    patientCategoryId: null,
    recipientMode: 'specific-members',
    members: [{ memberId: 'mbr_erin', privilege: 'admin' }],
  },
  diabetes: {
    name: 'Diabetes Care',
    description: 'Questions for your diabetes care team',
    facilityId: null,
    patientCategoryId: 'cat_diabetes',
    recipientMode: 'care-team',
    members: [{ memberId: 'mbr_alice', privilege: 'admin' }],
  },
};

const url = {
  groups: `${w.urls['group-config']}/message-groups`,
  phr: `${w.urls['phr-preferences']}/phr-preferences`,
  recipients: `${w.urls['messaging-intake']}/recipients`,
  threads: `${w.urls['messaging-intake']}/threads`,
  thread: (threadId: string, action: string) =>
    `${w.urls['routing-assignment']}/threads/${threadId}/${action}`,
};
const member = (key: string) => w.tokens.member(P, `mbr_${key}`);
const patient = (key: string) => w.tokens.patient(P, `pat_${key}`);
const groupIds: Record<string, string> = {};

const act = async (who: string, threadId: string, action: string, body?: unknown) =>
  call('POST', url.thread(threadId, action), { token: await member(who), body });

const toList = async (who: string) => call('GET', url.recipients, { token: await patient(who) });

async function send(who: string, recipient: object): Promise<Answer> {
  return call('POST', url.threads, {
    token: await patient(who),
    body: { recipient, subject: phiText('walk-subject'), body: phiText('walk-body') },
  });
}

const adminTimeline = async (threadId: string, accept: (t: Timeline) => boolean) =>
  routed(w, P, 'mbr_gary', threadId, accept);

// --- Messages > Group Messages (members) and Messages > Inbox (patients): the read model.

const inboxUrl = w.urls['inbox-projection'];
interface Listed {
  threadId: string;
}
const idsOf = (answer: Answer) =>
  ((answer.json as { threads?: Listed[] }).threads ?? []).map((t) => t.threadId);

/** A member's thread list: `groups/<id>/threads` or `direct`, with a filter. */
const memberList = async (who: string, list: string, filter = 'all') =>
  call('GET', `${inboxUrl}/inbox/${list}${list.includes('?') ? '&' : '?'}filter=${filter}`, {
    token: await member(who),
  });

/** The thread is, or is no longer, in a member's list (the list carries the practice's tokens). */
async function listed(who: string, list: string, threadId: string, present = true, filter = 'all') {
  return answered(
    () => memberList(who, list, filter),
    (a) => a.status === 200 && idsOf(a).includes(threadId) === present,
    `${threadId} ${present ? 'in' : 'out of'} ${who}'s ${list} (${filter})`,
  );
}

const mailbox = async (who: string, query: string) =>
  call('GET', `${inboxUrl}/mailbox?${query}`, { token: await patient(who) });

/** Nothing a patient receives names a member: no id, no display name of the walk's staff. */
function expectNoStaffIdentity(answer: Answer): void {
  const staff = Object.values(WALK.members).flatMap((m) => [m.id, m.displayName]);
  expect(staff.filter((identity) => answer.text.includes(identity))).toEqual([]);
}

describe('product walk (HTTP only, a practice of its own)', () => {
  const started = Date.now();
  let steps = 0;
  let billingThread: Sent;

  afterEach(() => {
    steps++;
  });
  afterAll(() => {
    summarize(w, `product walk: ${steps} steps in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  it('the EHR feed loads the practice into the directory (system token)', async () => {
    const answer = await call('POST', `${w.urls['practice-directory']}/directory/import`, {
      token: await w.tokens.system(P, WALK.systemId),
      body: directoryBundle(WALK),
    });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ written: 16, unchanged: 0 });
  });

  describe('Settings > Messages > Message Groups', () => {
    it('the practice admin creates groups: all facilities, one facility, a care-team group for one category', async () => {
      const admin = await member('alice');
      for (const [key, group] of Object.entries(GROUPS)) {
        // Carries the import's token: group-config answers once it has the directory.
        const answer = await call('POST', url.groups, { token: admin, body: group });
        expect(`${group.name}: ${describeAnswer(answer)}`).toBe(`${group.name}: 201`);
        expect(answer.headers.get('location')).toMatch(/^\/message-groups\//);
        groupIds[key] = (answer.json as { groupId: string }).groupId;
      }
      const list = await call('GET', url.groups, { token: admin });
      expect((list.json as { name: string }[]).map((g) => g.name)).toEqual([
        'Billing Team',
        'Diabetes Care',
        'Lab Services',
      ]);
    });

    it('a duplicate name is refused, whatever its case and spaces', async () => {
      const answer = await call('POST', url.groups, {
        token: await member('alice'),
        body: { ...GROUPS.lab, name: '  billing   TEAM ' },
      });
      expect(describeAnswer(answer)).toBe('409 group-name-taken');
    });

    it('a group cannot be renamed to the name of another group either', async () => {
      const answer = await call('PUT', `${url.groups}/${groupIds.lab}`, {
        token: await member('alice'),
        body: { ...GROUPS.lab, name: ' billing  team ' },
      });
      expect(describeAnswer(answer)).toBe('409 group-name-taken');
      const lab = await call('GET', `${url.groups}/${groupIds.lab}`, {
        token: await member('alice'),
      });
      expect((lab.json as { name: string }).name).toBe(GROUPS.lab.name);
    });

    it('every group has an Admin, at most 10 members, active members only; care-team groups list Admins only', async () => {
      const admin = await member('alice');
      const attempt = async (patch: object) =>
        describeAnswer(
          await call('POST', url.groups, {
            token: admin,
            body: { ...GROUPS.billing, name: `Rules ${Math.random()}`, ...patch },
          }),
        );
      expect(await attempt({ members: [{ memberId: 'mbr_uma', privilege: 'user' }] })).toBe(
        '422 group-needs-admin',
      );
      const eleven = Array.from({ length: 11 }, (_, i) => ({
        memberId: `mbr_${i}`,
        privilege: 'admin',
      }));
      expect(await attempt({ members: eleven })).toBe('422 too-many-members');
      expect(await attempt({ members: [{ memberId: 'mbr_frank', privilege: 'admin' }] })).toBe(
        '422 member-inactive',
      );
      expect(
        await attempt({
          recipientMode: 'care-team',
          members: [
            { memberId: 'mbr_alice', privilege: 'admin' },
            { memberId: 'mbr_dan', privilege: 'user' },
          ],
        }),
      ).toBe('422 care-team-group-admins-only');
    });

    it('a member without the Practice Access privilege (even a group Admin) cannot manage groups', async () => {
      const gary = await member('gary');
      expect(describeAnswer(await call('GET', url.groups, { token: gary }))).toBe(
        '403 privilege-required',
      );
      expect(
        describeAnswer(
          await call('POST', url.groups, { token: gary, body: { ...GROUPS.lab, name: 'Gary' } }),
        ),
      ).toBe('403 privilege-required');
    });
  });

  describe('Settings > PHR Settings', () => {
    it('a member without the PHR Settings privilege cannot change them', async () => {
      const answer = await call('PUT', url.phr, { token: await member('gary'), body: WALK.phr });
      expect(describeAnswer(answer)).toBe('403 privilege-required');
    });

    it('the practice admin allows messages to groups and members (all members, Carol excluded)', async () => {
      const admin = await member('alice');
      const answer = await call('PUT', url.phr, { token: admin, body: WALK.phr });
      expect(describeAnswer(answer)).toBe('200');
      const read = await call('GET', url.phr, { token: admin });
      expect(read.json).toEqual({
        ...WALK.phr,
        version: (answer.json as { version: number }).version,
      });
    });
  });

  describe("the patient's To list", () => {
    it('shows the groups of her facility and category, the members minus the excluded and the inactive', async () => {
      const answer = await answered(
        () => toList('ruth'),
        (a) => a.status === 200 && toListIds(a).groups.length === 2,
        "Ruth's To list",
      );
      expect(toListIds(answer)).toEqual({
        groups: [groupIds.billing, groupIds.diabetes].sort(),
        members: ['mbr_alice', 'mbr_dan', 'mbr_erin', 'mbr_gary', 'mbr_uma', 'mbr_vic'],
      });
      const list = answer.json as { canSend: boolean; groups: object[] };
      expect(list.canSend).toBe(true);
      // A group is shown by its name and description only, never by its members.
      expect(list.groups).toContainEqual({
        groupId: groupIds.billing,
        name: GROUPS.billing.name,
        description: GROUPS.billing.description,
      });
    });

    it('another patient sees the group of his facility, not the category group he is not in', async () => {
      const answer = await answered(
        () => toList('sam'),
        (a) => a.status === 200 && toListIds(a).groups.length === 2,
        "Sam's To list",
      );
      expect(toListIds(answer).groups).toEqual([groupIds.billing, groupIds.lab].sort());
    });
  });

  describe('a message to a group, on the practice side', () => {
    it('the patient sends to a group: 202, and the group Admin finds it Not Replied', async () => {
      billingThread = await patientSends(w, P, 'pat_ruth', {
        kind: 'group',
        groupId: groupIds.billing,
      });
      const t = await adminTimeline(billingThread.threadId, () => true);
      expect({ routing: t.routing, groupId: t.groupId, status: t.status }).toEqual({
        routing: 'specific-members',
        groupId: groupIds.billing,
        status: 'not-replied',
      });
    });

    it("the group's Admin finds it in Messages > Group Messages; Users of the group do not", async () => {
      const list = `groups/${groupIds.billing}/threads`;
      await listed('gary', list, billingThread.threadId, true, 'not-replied');
      const groups = await call('GET', `${inboxUrl}/inbox/groups`, { token: await member('gary') });
      expect(groups.json).toMatchObject({
        groups: [{ groupId: groupIds.billing, name: 'Billing Team', admin: true }],
      });
      // Written in the same bulk write as the Admin's entry: no waiting for absence.
      for (const user of ['uma', 'vic']) {
        const theirs = await memberList(user, list);
        expect(`${user}: ${describeAnswer(theirs)}`).toBe(`${user}: 200`);
        expect(idsOf(theirs)).not.toContain(billingThread.threadId);
      }
      const notMember = await memberList('erin', list);
      expect(describeAnswer(notMember)).toBe('404 group-not-found');
    });

    it('a retried send (same Idempotency-Key) is answered again without a second message', async () => {
      const body = {
        recipient: { kind: 'group', groupId: groupIds.billing },
        subject: phiText('walk-retry-subject'),
        body: phiText('walk-retry-body'),
      };
      const headers = { 'idempotency-key': `walk-${w.run.runId}-retry` };
      const token = await patient('sam');
      const first = await call('POST', url.threads, { token, body, headers });
      const retry = await call('POST', url.threads, { token, body, headers });
      expect([describeAnswer(first), describeAnswer(retry)]).toEqual(['202', '202']);
      expect(retry.json).toEqual(first.json);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      const reused = await call('POST', url.threads, {
        token,
        body: { ...body, body: 'something else' },
        headers,
      });
      expect(describeAnswer(reused)).toBe('422 idempotency-key-reused');
    });

    it('a User sees nothing of an unassigned thread: the timeline is for Admins', async () => {
      expect(describeAnswer(await timeline(w, P, 'mbr_uma', billingThread.threadId))).toBe(
        '403 not-group-admin',
      );
    });

    it('the group Admin assigns it to a User', async () => {
      const answer = await act('gary', billingThread.threadId, 'assignment', {
        assigneeMemberId: 'mbr_uma',
      });
      expect(describeAnswer(answer)).toBe('200');
      const t = (await timeline(w, P, 'mbr_gary', billingThread.threadId)).json as Timeline;
      expect(t.assigneeMemberId).toBe('mbr_uma');
    });

    it('the assignee now finds it in her list; the other User still does not', async () => {
      const list = `groups/${groupIds.billing}/threads`;
      const uma = await listed('uma', list, billingThread.threadId);
      expect(idsOf(uma)).toEqual([billingThread.threadId]);
      expect(idsOf(await memberList('vic', list))).not.toContain(billingThread.threadId);
      const opened = await call('GET', `${inboxUrl}/inbox/threads/${billingThread.threadId}`, {
        token: await member('uma'),
      });
      expect(describeAnswer(opened)).toBe('200');
      expect(opened.json).toMatchObject({
        threadId: billingThread.threadId,
        subject: billingThread.subject,
        messages: [{ body: billingThread.body }],
        assigneeMemberId: 'mbr_uma',
      });
      expect(
        describeAnswer(
          await call('GET', `${inboxUrl}/inbox/threads/${billingThread.threadId}`, {
            token: await member('vic'),
          }),
        ),
      ).toBe('404 thread-not-found');
    });

    it('a User who is not the assignee cannot reply (403)', async () => {
      const answer = await act('vic', billingThread.threadId, 'replies', { body: 'Not mine' });
      expect(describeAnswer(answer)).toBe('403 reply-not-allowed');
    });

    it('the assignee replies (202): the thread is Replied', async () => {
      const answer = await act('uma', billingThread.threadId, 'replies', {
        body: phiText('walk-reply'),
      });
      expect(describeAnswer(answer)).toBe('202');
      expect(answer.json).toEqual({
        threadId: billingThread.threadId,
        replyId: expect.any(String),
        version: expect.any(Number),
      });
      const t = (await timeline(w, P, 'mbr_gary', billingThread.threadId)).json as Timeline;
      expect(t.status).toBe('replied');
    });

    it("the patient finds the reply under Unread, from the group's name and no one else's, and by searching the group's name", async () => {
      const unread = await answered(
        () => mailbox('ruth', 'box=unread'),
        (a) => a.status === 200 && idsOf(a).includes(billingThread.threadId),
        "the reply in Ruth's Unread",
      );
      expect((unread.json as { threads: object[] }).threads).toContainEqual(
        expect.objectContaining({
          threadId: billingThread.threadId,
          groupName: 'Billing Team',
          replies: 1,
          unreadReplies: 1,
        }),
      );
      expectNoStaffIdentity(unread);
      expect(idsOf(await mailbox('ruth', 'box=inbox&q=billing'))).toContain(billingThread.threadId);
      expect(idsOf(await mailbox('ruth', 'box=inbox&q=lab'))).not.toContain(billingThread.threadId);
      const opened = await call('GET', `${inboxUrl}/mailbox/threads/${billingThread.threadId}`, {
        token: await patient('ruth'),
      });
      expect(describeAnswer(opened)).toBe('200');
      expect(opened.json).toMatchObject({
        groupName: 'Billing Team',
        status: 'replied',
        replies: [{ from: 'Billing Team' }],
      });
      expectNoStaffIdentity(opened);
      // Opened: no longer unread. Another patient cannot open it at all.
      expect(idsOf(await mailbox('ruth', 'box=unread'))).not.toContain(billingThread.threadId);
      expect(
        describeAnswer(
          await call('GET', `${inboxUrl}/mailbox/threads/${billingThread.threadId}`, {
            token: await patient('sam'),
          }),
        ),
      ).toBe('404 thread-not-found');
    });

    it("a follow-up by the patient (202) makes it Not Replied again, on the Admin's timeline", async () => {
      const answer = await call('POST', `${url.threads}/${billingThread.threadId}/messages`, {
        token: await patient('ruth'),
        body: { body: phiText('walk-follow-up') },
      });
      expect(describeAnswer(answer)).toBe('202');
      const t = await adminTimeline(billingThread.threadId, (tl) => tl.status === 'not-replied');
      expect(t.entries.map((e) => e.kind)).toEqual([
        'sent',
        'routed',
        'assigned',
        'replied',
        'follow-up',
      ]);
    });

    it('a reassignment takes the thread from the previous User', async () => {
      expect(
        describeAnswer(
          await act('gary', billingThread.threadId, 'assignment', { assigneeMemberId: 'mbr_vic' }),
        ),
      ).toBe('200');
      expect(
        describeAnswer(await act('uma', billingThread.threadId, 'replies', { body: 'Late' })),
      ).toBe('403 reply-not-allowed');
      expect(
        describeAnswer(
          await act('vic', billingThread.threadId, 'replies', { body: phiText('walk-reply') }),
        ),
      ).toBe('202');
      const list = `groups/${groupIds.billing}/threads`;
      await listed('vic', list, billingThread.threadId);
      await listed('uma', list, billingThread.threadId, false);
    });

    it('the Admin moves it to Trash and restores it; Users cannot; a thread in Trash takes no reply', async () => {
      const id = billingThread.threadId;
      expect(describeAnswer(await act('vic', id, 'trash'))).toBe('403 not-group-admin');
      expect(describeAnswer(await act('gary', id, 'trash'))).toBe('200');
      expect(((await timeline(w, P, 'mbr_gary', id)).json as Timeline).trashed).toBe(true);
      expect(describeAnswer(await act('gary', id, 'replies', { body: 'In trash' }))).toBe(
        '409 thread-in-trash',
      );
      expect(describeAnswer(await act('gary', id, 'trash'))).toBe('409 already-in-trash');
      expect(describeAnswer(await act('vic', id, 'restore'))).toBe('403 not-group-admin');
      expect(describeAnswer(await act('gary', id, 'restore'))).toBe('200');
      const t = (await timeline(w, P, 'mbr_gary', id)).json as Timeline;
      expect({ trashed: t.trashed, last: t.entries.at(-1)?.kind }).toEqual({
        trashed: false,
        last: 'restored',
      });
    });

    it("the Admin's Trash filter follows: in Trash while trashed, back in All once restored", async () => {
      const list = `groups/${groupIds.billing}/threads`;
      const id = billingThread.threadId;
      expect(describeAnswer(await act('gary', id, 'trash'))).toBe('200');
      await listed('gary', list, id, true, 'trash');
      await listed('gary', list, id, false, 'all');
      expect(describeAnswer(await act('gary', id, 'restore'))).toBe('200');
      await listed('gary', list, id, false, 'trash');
      await listed('gary', list, id, true, 'all');
    });

    it("a patient's new message takes a thread out of Trash: Not Replied in the Admin's lists again, saying why", async () => {
      const list = `groups/${groupIds.billing}/threads`;
      const id = billingThread.threadId;
      expect(describeAnswer(await act('gary', id, 'trash'))).toBe('200');
      await listed('gary', list, id, true, 'trash');
      const answer = await call('POST', `${url.threads}/${id}/messages`, {
        token: await patient('ruth'),
        body: { body: phiText('walk-follow-up-from-trash') },
      });
      expect(describeAnswer(answer)).toBe('202');
      await listed('gary', list, id, true, 'not-replied');
      await listed('gary', list, id, false, 'trash');
      await listed('gary', list, id, true, 'all');
      const t = await adminTimeline(id, (tl) => !tl.trashed && tl.status === 'not-replied');
      expect(t.entries.slice(-2).map((e) => [e.kind, e.actor.kind])).toEqual([
        ['follow-up', 'patient'],
        ['restored', 'system'],
      ]);
    });
  });

  describe('care-team groups and direct messages', () => {
    it("a care-team group's message goes to the patient's care team; the group's Admin sees it too", async () => {
      const sent = await patientSends(w, P, 'pat_ruth', {
        kind: 'group',
        groupId: groupIds.diabetes,
      });
      const t = await routed(w, P, 'mbr_alice', sent.threadId);
      expect(t.routing).toBe('care-team');
      expect(
        describeAnswer(await act('dan', sent.threadId, 'replies', { body: phiText('care') })),
      ).toBe('202');
      // Not on her care team, not in the group: the thread does not exist for her.
      expect(describeAnswer(await timeline(w, P, 'mbr_uma', sent.threadId))).toBe(
        '404 thread-not-found',
      );
      // In the inbox of the care team and of the group's Admin, and no one else's.
      const list = `groups/${groupIds.diabetes}/threads`;
      await listed('dan', list, sent.threadId);
      await listed('alice', list, sent.threadId);
      expect(describeAnswer(await memberList('uma', list))).toBe('404 group-not-found');
    });

    it('a direct message to a member is seen and answered by that member alone', async () => {
      const sent = await patientSends(w, P, 'pat_ruth', { kind: 'member', memberId: 'mbr_dan' });
      const t = await routed(w, P, 'mbr_dan', sent.threadId);
      expect(t.routing).toBe('direct');
      expect(
        describeAnswer(await act('dan', sent.threadId, 'replies', { body: phiText('dm') })),
      ).toBe('202');
      for (const other of ['mbr_alice', 'mbr_gary']) {
        expect(describeAnswer(await timeline(w, P, other, sent.threadId))).toBe(
          '404 thread-not-found',
        );
      }
      await listed('dan', 'direct', sent.threadId);
      expect(idsOf(await memberList('alice', 'direct'))).not.toContain(sent.threadId);
      // The patient reads the answer under the practice's name.
      const opened = await answered(
        async () =>
          call('GET', `${inboxUrl}/mailbox/threads/${sent.threadId}`, {
            token: await patient('ruth'),
          }),
        (a) => a.status === 200 && (a.json as { replies: object[] }).replies.length === 1,
        "Dan's reply in Ruth's mailbox",
      );
      expect(opened.json).toMatchObject({
        groupName: WALK.name,
        replies: [{ from: WALK.name }],
      });
      expectNoStaffIdentity(opened);
    });
  });

  describe("a group's team workflow: response target, acknowledgement, return to queue", () => {
    const ACK = 'We have your message. For emergencies call 911.';
    let groupId: string;
    let workflowUrl: string;
    let sent: Sent;
    const list = () => `groups/${groupId}/threads`;
    /** Deadlines fall due with no write to carry a token for: these poll. */
    const onceDue = (who: string, threadId: string, present: boolean, filter: string) =>
      eventually(
        () => memberList(who, list(), filter),
        (a) => a.status === 200 && idsOf(a).includes(threadId) === present,
        `${threadId} ${present ? 'in' : 'out of'} ${who}'s ${list()} (${filter})`,
      );
    const steps = async (threadId: string, accept: (kinds: string[]) => boolean) =>
      eventually(
        () => timeline(w, P, 'mbr_gary', threadId),
        (a) => a.status === 200 && accept((a.json as Timeline).entries.map((e) => e.kind)),
        `the timeline of ${threadId}`,
      );

    it('a User may read the workflow, not change it; a bad one is refused and nothing stored', async () => {
      const created = await call('POST', url.groups, {
        token: await member('alice'),
        body: { ...GROUPS.billing, name: 'Front Office' },
      });
      expect(describeAnswer(created)).toBe('201');
      groupId = (created.json as { groupId: string }).groupId;
      workflowUrl = `${url.groups}/${groupId}/workflow`;
      const read = await call('GET', workflowUrl, { token: await member('uma') });
      expect(describeAnswer(read)).toBe('200');
      expect(read.json).toMatchObject({ responseTargetSeconds: null, version: 0 });
      const workflow = {
        responseTargetSeconds: 2,
        businessHours: null,
        acknowledgement: { when: 'always', text: ACK },
        returnToQueueSeconds: 3,
      };
      const ifMatch = { 'if-match': '"0"' };
      const byUser = await call('PUT', workflowUrl, {
        token: await member('uma'),
        body: workflow,
        headers: ifMatch,
      });
      expect(describeAnswer(byUser)).toBe('403 group-admin-required');
      const badZone = await call('PUT', workflowUrl, {
        token: await member('gary'),
        body: {
          ...workflow,
          businessHours: {
            timeZone: 'Mars/Olympus_Mons',
            weekly: [{ day: 'mon', opens: '09:00', closes: '17:00' }],
            closedDates: [],
          },
        },
        headers: ifMatch,
      });
      expect(describeAnswer(badZone)).toBe('422 unknown-time-zone');
      const saved = await call('PUT', workflowUrl, {
        token: await member('gary'),
        body: workflow,
        headers: ifMatch,
      });
      expect(describeAnswer(saved)).toBe('200');
      expect(saved.json).toMatchObject({ ...workflow, version: 1 });
    });

    it("the patient hears the group's acknowledgement at once, marked automatic; the thread stays Not Replied", async () => {
      sent = await patientSends(w, P, 'pat_ruth', { kind: 'group', groupId });
      const opened = await answered(
        async () =>
          call('GET', `${inboxUrl}/mailbox/threads/${sent.threadId}`, {
            token: await patient('ruth'),
          }),
        (a) => a.status === 200 && (a.json as { replies: object[] }).replies.length === 1,
        "the acknowledgement in Ruth's mailbox",
      );
      expect(opened.json).toMatchObject({
        replies: [{ from: 'Front Office', body: ACK, automatic: true }],
      });
      expectNoStaffIdentity(opened);
      await listed('gary', list(), sent.threadId, true, 'not-replied');
    });

    it('unanswered past its target, it is overdue: in the Overdue filter and count, and in the timeline', async () => {
      await onceDue('gary', sent.threadId, true, 'overdue');
      const groups = await call('GET', `${inboxUrl}/inbox/groups`, { token: await member('gary') });
      const mine = (
        groups.json as { groups: { groupId: string; counts: { overdue: number } }[] }
      ).groups.find((g) => g.groupId === groupId);
      expect(mine?.counts.overdue).toBe(1);
      const t = await steps(sent.threadId, (kinds) => kinds.includes('overdue'));
      expect((t.json as Timeline).entries.map((e) => [e.kind, e.actor.kind]).slice(2)).toEqual([
        ['acknowledged', 'system'],
        ['overdue', 'system'],
      ]);
    });

    it('an assignee who stays silent loses the thread back to the queue, and no longer sees it', async () => {
      const assigned = await act('gary', sent.threadId, 'assignment', {
        assigneeMemberId: 'mbr_uma',
      });
      expect(describeAnswer(assigned)).toBe('200');
      await listed('uma', list(), sent.threadId, true);
      await onceDue('uma', sent.threadId, false, 'all');
      const t = await steps(sent.threadId, (kinds) => kinds.at(-1) === 'unassigned');
      const returned = (t.json as Timeline).entries.at(-1)!;
      expect([returned.actor.kind, returned.details]).toEqual([
        'system',
        { previousAssigneeMemberId: 'mbr_uma', reason: 'assignee-silent' },
      ]);
      expect((t.json as Timeline).assigneeMemberId).toBeNull();
      await onceDue('gary', sent.threadId, true, 'overdue');
    });

    it("a reply clears the overdue; the patient's next message starts a new target", async () => {
      const reply = await act('gary', sent.threadId, 'replies', { body: phiText('walk-answer') });
      expect(describeAnswer(reply)).toBe('202');
      await listed('gary', list(), sent.threadId, false, 'overdue');
      const again = await call('POST', `${url.threads}/${sent.threadId}/messages`, {
        token: await patient('ruth'),
        body: { body: phiText('walk-again') },
      });
      expect(describeAnswer(again)).toBe('202');
      await onceDue('gary', sent.threadId, true, 'overdue');
      await steps(sent.threadId, (kinds) => kinds.filter((k) => k === 'overdue').length === 2);
    });

    it('with round robin on, the waiting thread goes to one of its Users, who then finds it', async () => {
      const current = await call('GET', workflowUrl, { token: await member('gary') });
      const {
        version,
        changedAt: _changedAt,
        ...settings
      } = current.json as {
        version: number;
        changedAt: string;
      };
      const saved = await call('PUT', workflowUrl, {
        token: await member('gary'),
        // A minute's grace now, so the assignee is still the one when she looks.
        body: {
          ...settings,
          returnToQueueSeconds: 60,
          assignment: { mode: 'round-robin', capacity: 5 },
        },
        headers: { 'if-match': `"${version}"` },
      });
      expect(describeAnswer(saved)).toBe('200');
      const t = await steps(sent.threadId, (kinds) => kinds.at(-1) === 'assigned');
      const assigned = (t.json as Timeline).entries.at(-1)!;
      expect(assigned.actor.kind).toBe('system');
      expect(assigned.details).toMatchObject({ how: 'automatic' });
      const assignee = (t.json as Timeline).assigneeMemberId!;
      expect(['mbr_uma', 'mbr_vic']).toContain(assignee);
      await onceDue(assignee.slice('mbr_'.length), sent.threadId, true, 'all');
    });
  });

  describe('out of office: a cover for the period, and nothing waits for the member who is away', () => {
    const oooUrl = (memberId: string) =>
      `${w.urls['group-config']}/members/${memberId}/out-of-office`;
    let groupId: string;
    let assigned: Sent;
    let direct: Sent;
    const entries = async (threadId: string) =>
      ((await timeline(w, P, 'mbr_gary', threadId)).json as Timeline).entries;

    it("Uma's thread and a direct message to her, before she is away", async () => {
      const created = await call('POST', url.groups, {
        token: await member('alice'),
        body: { ...GROUPS.billing, name: 'Billing While Away' },
      });
      expect(describeAnswer(created)).toBe('201');
      groupId = (created.json as { groupId: string }).groupId;
      assigned = await patientSends(w, P, 'pat_ruth', { kind: 'group', groupId });
      expect(
        describeAnswer(
          await act('gary', assigned.threadId, 'assignment', { assigneeMemberId: 'mbr_uma' }),
        ),
      ).toBe('200');
      direct = await patientSends(w, P, 'pat_ruth', { kind: 'member', memberId: 'mbr_uma' });
      await listed('uma', 'direct', direct.threadId);
      expect(idsOf(await memberList('vic', 'direct'))).not.toContain(direct.threadId);
    });

    it('she sets her period with Vic covering; a colleague may not set it for her, a cover outside her groups is refused', async () => {
      const period = (coverMemberId: string) => ({
        startsAt: new Date(Date.now() - 1_000).toISOString(),
        // Long enough for the steps below; its end is the last step.
        endsAt: new Date(Date.now() + 15_000).toISOString(),
        coverMemberId,
      });
      const put = async (who: string, coverMemberId: string) =>
        call('PUT', oooUrl('mbr_uma'), {
          token: await member(who),
          body: { periods: [period(coverMemberId)] },
          headers: { 'if-match': '"0"' },
        });
      expect(describeAnswer(await put('vic', 'mbr_vic'))).toBe('403 out-of-office-access-required');
      expect(describeAnswer(await put('uma', 'mbr_dan'))).toBe('422 cover-not-in-group');
      const saved = await put('uma', 'mbr_vic');
      expect(describeAnswer(saved)).toBe('200');
      expect(saved.json).toMatchObject({
        memberId: 'mbr_uma',
        version: 1,
        periods: [{ coverMemberId: 'mbr_vic' }],
      });
    });

    it('her assigned thread goes to Vic, by the system, saying why', async () => {
      const t = await timeline(w, P, 'mbr_gary', assigned.threadId);
      expect((t.json as Timeline).assigneeMemberId).toBe('mbr_vic');
      expect((t.json as Timeline).entries.at(-1)).toMatchObject({
        kind: 'assigned',
        actor: { kind: 'system' },
        details: { how: 'cover', previousAssigneeMemberId: 'mbr_uma', assigneeMemberId: 'mbr_vic' },
      });
      await listed('vic', `groups/${groupId}/threads`, assigned.threadId);
      // Nobody gives her a thread meanwhile.
      const other = await patientSends(w, P, 'pat_ruth', { kind: 'group', groupId });
      expect(
        describeAnswer(
          await act('gary', other.threadId, 'assignment', { assigneeMemberId: 'mbr_uma' }),
        ),
      ).toBe('422 assignee-out-of-office');
    });

    it('Vic sees and answers her direct message; the patient sees the practice, nothing of the cover', async () => {
      await listed('vic', 'direct', direct.threadId);
      const opened = await call('GET', `${inboxUrl}/inbox/threads/${direct.threadId}`, {
        token: await member('vic'),
      });
      expect(describeAnswer(opened)).toBe('200');
      expect(
        describeAnswer(await act('vic', direct.threadId, 'replies', { body: phiText('cover') })),
      ).toBe('202');
      const read = await answered(
        async () =>
          call('GET', `${inboxUrl}/mailbox/threads/${direct.threadId}`, {
            token: await patient('ruth'),
          }),
        (a) => a.status === 200 && (a.json as { replies: object[] }).replies.length === 1,
        "Vic's reply in Ruth's mailbox",
      );
      expect(read.json).toMatchObject({ replies: [{ from: WALK.name }] });
      expectNoStaffIdentity(read);
    });

    it('when her period ends Vic no longer sees her direct message; what was handed over stays with him', async () => {
      await eventually(
        () => memberList('vic', 'direct'),
        (a) => a.status === 200 && !idsOf(a).includes(direct.threadId),
        "Uma's direct message gone from Vic's inbox",
        { timeoutMs: 30_000 },
      );
      expect(
        describeAnswer(await act('vic', direct.threadId, 'replies', { body: phiText('late') })),
      ).toBe('404 thread-not-found');
      await listed('uma', 'direct', direct.threadId);
      expect((await entries(assigned.threadId)).filter((e) => e.kind === 'assigned')).toHaveLength(
        2,
      );
    });
  });

  describe('two members working one thread: presence, the stale-reply guard, internal notes', () => {
    let thread: Sent;
    let seen: string;
    let gary: Feed;
    let uma: Feed;
    const presenceUrl = (threadId: string) => `${inboxUrl}/inbox/threads/${threadId}/presence`;
    const present = (feed: Feed) =>
      (
        (feed.events.filter((e) => e.type === 'presence').at(-1)?.data as
          { present: { memberId: string; activity: string }[] } | undefined) ?? { present: [] }
      ).present.map((p) => `${p.memberId}:${p.activity}`);
    const toldOf = (feed: Feed, expected: string[], what: string) =>
      eventually(
        async () => ({ status: 200, text: present(feed).join(','), json: undefined }) as Answer,
        (a) => a.text === expected.join(','),
        what,
        { timeoutMs: 10_000 },
      );
    const signal = async (who: string, activity: string) =>
      call('PUT', presenceUrl(thread.threadId), { token: await member(who), body: { activity } });
    const reply = async (who: string, body: string, ifMatch: string) =>
      call('POST', url.thread(thread.threadId, 'replies'), {
        token: await member(who),
        body: { body },
        headers: { 'if-match': ifMatch },
      });
    const opened = async (who: string) =>
      call('GET', `${inboxUrl}/inbox/threads/${thread.threadId}`, { token: await member(who) });

    afterAll(() => {
      gary?.close();
      uma?.close();
    });

    it('Gary (Admin) and Uma (the assignee) open the thread and each sees the other, live', async () => {
      thread = await patientSends(w, P, 'pat_ruth', { kind: 'group', groupId: groupIds.billing! });
      expect(
        describeAnswer(
          await act('gary', thread.threadId, 'assignment', { assigneeMemberId: 'mbr_uma' }),
        ),
      ).toBe('200');
      const views = [await opened('gary'), await opened('uma')];
      expect(views.map(describeAnswer)).toEqual(['200', '200']);
      seen = (views[0]!.json as { conversationVersion: string }).conversationVersion;
      expect(seen).toBe('m1r0');
      gary = await openFeed(presenceUrl(thread.threadId), `Bearer ${await member('gary')}`);
      uma = await openFeed(presenceUrl(thread.threadId), `Bearer ${await member('uma')}`);
      expect([gary.answer.status, uma.answer.status]).toEqual([200, 200]);
      expect(describeAnswer(await signal('uma', 'viewing'))).toBe('204');
      expect(describeAnswer(await signal('gary', 'writing'))).toBe('204');
      await toldOf(gary, ['mbr_uma:viewing'], 'Gary told Uma is viewing');
      await toldOf(uma, ['mbr_gary:writing'], 'Uma told Gary is writing');
      // Vic is in the group but not in this thread's audience; Ruth is the patient.
      expect(describeAnswer(await signal('vic', 'viewing'))).toBe('404 thread-not-found');
      const ruth = await openFeed(presenceUrl(thread.threadId), `Bearer ${await patient('ruth')}`);
      ruth.close();
      expect(ruth.answer.status).toBe(403);
    });

    it("Uma replies first; Gary's reply on the same view is refused, saying what landed, and Ruth gets one reply", async () => {
      expect(describeAnswer(await signal('uma', 'writing'))).toBe('204');
      await toldOf(gary, ['mbr_uma:writing'], 'Gary told Uma is writing');
      const first = await reply('uma', phiText('first reply'), `"${seen}"`);
      expect(describeAnswer(first)).toBe('202');
      const stale = await reply('gary', phiText('second reply'), `"${seen}"`);
      expect(describeAnswer(stale)).toBe('409 thread-changed');
      expect(stale.json).toMatchObject({
        changes: {
          patientMessages: [],
          replies: [
            { replyId: (first.json as { replyId: string }).replyId, repliedByMemberId: 'mbr_uma' },
          ],
        },
      });
      // Gary reads what Uma wrote: a fresh view lets his reply through.
      const fresh = await answered(
        () => opened('gary'),
        (a) => (a.json as { conversationVersion?: string }).conversationVersion === 'm1r1',
        "Uma's reply in Gary's view",
      );
      const version = (fresh.json as { conversationVersion: string }).conversationVersion;
      expect(describeAnswer(await reply('gary', phiText('third reply'), `"${version}"`))).toBe(
        '202',
      );
      const read = await answered(
        async () =>
          call('GET', `${inboxUrl}/mailbox/threads/${thread.threadId}`, {
            token: await patient('ruth'),
          }),
        (a) => a.status === 200 && (a.json as { replies: object[] }).replies.length === 2,
        "two replies in Ruth's mailbox",
      );
      expect(read.text).not.toContain('second reply');
      expectNoStaffIdentity(read);
    });

    it('they talk it over in a note Ruth never sees, by any read, event or topic', async () => {
      const note = phiText('internal note');
      const topics = [
        TOPICS.patientMessages,
        TOPICS.threads,
        TOPICS.accessAudit,
        TOPICS.consistency,
        TOPICS.threadNotes,
      ];
      const kafka = kafkaOf(w.run);
      const observed = await Promise.all(topics.map((t) => observe(kafka, t.name, P)));
      try {
        const added = await act('uma', thread.threadId, 'notes', { body: note });
        expect(describeAnswer(added)).toBe('201');
        const view = await answered(
          () => opened('gary'),
          (a) => a.status === 200 && (a.json as { notes: object[] }).notes.length === 1,
          "Uma's note in Gary's view",
        );
        expect((view.json as { notes: object[] }).notes).toEqual([
          expect.objectContaining({ authorMemberId: 'mbr_uma', body: note }),
        ]);
        // A note is no reply: Gary's view still lets his reply through.
        expect((view.json as { conversationVersion: string }).conversationVersion).toBe('m1r2');
        await eventually(
          async () =>
            ({
              status: 200,
              text: String(observed.at(-1)!.ofType('gm.thread.note-added.v1').length),
              json: undefined,
            }) as Answer,
          (a) => a.text === '1',
          'the note on gm.thread-notes',
        );
        // Everything Ruth can read, and every other topic, is free of it.
        const ruth = { token: await patient('ruth') };
        for (const path of [
          `/mailbox/threads/${thread.threadId}`,
          '/mailbox',
          '/mailbox?box=sent',
        ]) {
          const answer = await call('GET', `${inboxUrl}${path}`, ruth);
          expect(`${path} ${answer.status}`).toBe(`${path} 200`);
          expect(answer.text).not.toContain(note);
        }
        for (const [i, events] of observed.entries()) {
          const holding = events.events.filter((e) => JSON.stringify(e).includes(note));
          expect(`${topics[i]!.name}: ${holding.length}`).toBe(
            `${topics[i]!.name}: ${topics[i] === TOPICS.threadNotes ? 1 : 0}`,
          );
        }
      } finally {
        await Promise.all(observed.map((o) => o.stop()));
      }
    });

    it('the access audit holds each presence watch and the note, ids only', async () => {
      const records = await eventually(
        async () =>
          call(
            'GET',
            `${w.urls['access-audit']}/access-records?threadId=${thread.threadId}&limit=200`,
            {
              token: await member('alice'),
            },
          ),
        (a) => {
          const actions = ((a.json as { records?: { action: string }[] }).records ?? []).map(
            (r) => r.action,
          );
          return (
            actions.filter((x) => x === 'thread.presence.read').length === 2 &&
            actions.includes('thread.note-added')
          );
        },
        'the presence watches and the note in the trail',
      );
      expect(records.text).not.toContain('internal note');
    });

    it("Uma closes the thread and Gary's view of her goes at once", async () => {
      expect(
        describeAnswer(
          await call('DELETE', presenceUrl(thread.threadId), { token: await member('uma') }),
        ),
      ).toBe('204');
      await toldOf(gary, [], 'Gary told Uma left');
    });
  });

  describe('the rules hold at send time, not only in the To list', () => {
    it('a deleted group leaves the To list and takes no more messages', async () => {
      const admin = await member('alice');
      const created = await call('POST', url.groups, {
        token: admin,
        body: { ...GROUPS.billing, name: 'Short-lived Group' },
      });
      expect(describeAnswer(created)).toBe('201');
      const groupId = (created.json as { groupId: string }).groupId;
      await answered(
        () => toList('ruth'),
        (a) => a.status === 200 && toListIds(a).groups.includes(groupId),
        'the new group in the To list',
      );
      expect(
        describeAnswer(await call('DELETE', `${url.groups}/${groupId}`, { token: admin })),
      ).toBe('204');
      expect(describeAnswer(await call('GET', `${url.groups}/${groupId}`, { token: admin }))).toBe(
        '404 group-not-found',
      );
      await answered(
        () => toList('ruth'),
        (a) => a.status === 200 && !toListIds(a).groups.includes(groupId),
        'the deleted group to leave the To list',
      );
      expect(describeAnswer(await send('ruth', { kind: 'group', groupId }))).toBe(
        '403 recipient-not-available',
      );
    });

    it('an excluded member, a group of another facility and a made-up group are refused alike', async () => {
      for (const recipient of [
        { kind: 'member', memberId: 'mbr_carol' },
        { kind: 'member', memberId: 'mbr_frank' },
        { kind: 'group', groupId: groupIds.lab },
        { kind: 'group', groupId: 'grp_made_up' },
      ]) {
        expect(describeAnswer(await send('ruth', recipient))).toBe('403 recipient-not-available');
      }
    });

    it('excluding a member takes effect at send time once the setting has propagated', async () => {
      const admin = await member('alice');
      const saved = await call('PUT', url.phr, {
        token: admin,
        body: { ...WALK.phr, excludedMemberIds: ['mbr_carol', 'mbr_dan'] },
      });
      expect(describeAnswer(saved)).toBe('200');
      await answered(
        () => toList('ruth'),
        (a) => a.status === 200 && !toListIds(a).members.includes('mbr_dan'),
        "Dan to leave Ruth's To list",
      );
      expect(describeAnswer(await send('ruth', { kind: 'member', memberId: 'mbr_dan' }))).toBe(
        '403 recipient-not-available',
      );
    });

    it('with patient messaging switched off nothing can be sent', async () => {
      const saved = await call('PUT', url.phr, {
        token: await member('alice'),
        body: { ...WALK.phr, allowPatientMessages: false },
      });
      expect(describeAnswer(saved)).toBe('200');
      const list = await answered(
        () => toList('ruth'),
        (a) => a.status === 200 && (a.json as { canSend: boolean }).canSend === false,
        "Ruth's To list to close",
      );
      expect(list.json).toEqual({
        canSend: false,
        reason: 'messaging-disabled',
        groups: [],
        members: [],
      });
      expect(describeAnswer(await send('ruth', { kind: 'group', groupId: groupIds.billing }))).toBe(
        '403 messaging-disabled',
      );
      // A follow-up is a message too.
      const followUp = await call('POST', `${url.threads}/${billingThread.threadId}/messages`, {
        token: await patient('ruth'),
        body: { body: phiText('closed') },
      });
      expect(describeAnswer(followUp)).toBe('403 messaging-disabled');
    });
  });

  describe('quick replies', () => {
    it("Billing's Admin sets two templates; its User lists them in that order and may not change them", async () => {
      const quickReplies = `${url.groups}/${groupIds.billing}/quick-replies`;
      const templates = [
        {
          title: 'Statement corrected',
          text: 'Your statement is corrected: the new one is in the mail.',
        },
        { title: 'Call us', text: 'Please call the billing office,\nweekdays from 8 to 5.' },
      ];
      const saved = await call('PUT', quickReplies, {
        token: await member('gary'),
        body: { quickReplies: templates },
        headers: { 'if-match': '"0"' },
      });
      expect(describeAnswer(saved)).toBe('200');
      const listed = await call('GET', quickReplies, { token: await member('uma') });
      expect(describeAnswer(listed)).toBe('200');
      expect(listed.json).toEqual({
        groupId: groupIds.billing,
        version: 1,
        quickReplies: templates.map((t) => ({ quickReplyId: expect.stringMatching(/^qr_/), ...t })),
      });
      const byUser = await call('PUT', quickReplies, {
        token: await member('uma'),
        body: { quickReplies: [] },
      });
      expect(describeAnswer(byUser)).toBe('403 group-admin-required');
    });
  });
});
