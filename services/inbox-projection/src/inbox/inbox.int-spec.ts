/**
 * The inbox read model against the real servers: the directory fed over
 * Kafka (DirectoryFeed), groups, patient messages and thread lifecycle
 * events published onto their topics as group-config, the intake and
 * routing-assignment would; every read over HTTP.
 */
import { mintToken, type ActorKind } from '@gm/auth';
import {
  AcknowledgementSentV1,
  MessageAssignedV1,
  MessageAssignedV2,
  MessageResponseOverdueV1,
  MessageRoutedV1,
  MessageSentV1,
  MessageTrashedV1,
  MessageUnassignedV2,
  ReplySentV1,
  ThreadAudienceChangedV1,
  type AssignmentHow,
  type AudienceReason,
  type UnassignReasonV2,
  toWireRecord,
  type EventDefinition,
  type EventEnvelope,
  type MessageGroupStateV1,
} from '@gm/contracts';
import {
  DirectoryFeed,
  monitoredUri,
  padCollections,
  QueryPlans,
  ServiceTestBed,
  TEST_JWT_SECRET,
  testInfrastructure,
  uniqueName,
  waitFor,
} from '@gm/testing';
import { INFRASTRUCTURE_CONFIG, REDIS, type InfrastructureConfig } from '@gm/service-kit';
import type { Redis } from 'ioredis';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import type { INestApplication } from '@nestjs/common';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { AppModule } from '../app.module.js';
import { loadConfig } from '../config.js';
import { SERVICE } from '../service.js';
import {
  InboxRebuild,
  type RebuildStatus,
} from './application/rebuild-projection/inbox-rebuild.js';
import { FeedHub } from './infrastructure/feed-hub.js';
import { Generations } from './infrastructure/projection-store.js';
import { RebuildClaim } from './infrastructure/rebuild-claim.js';

// Presence expires after 2 s here (25 s by default), so the tests can wait out a vanished client.
process.env.PRESENCE_TTL_MS = '2000';

const practice = uniqueName('prc');
const PRACTICE_NAME = 'Riverside Family Practice';
const STAFF = {
  admin: ['mbr_admin', 'Alice Admin'],
  userA: ['mbr_user_a', 'Umberto User'],
  userB: ['mbr_user_b', 'Ursula User'],
  care: ['mbr_care', 'Carla Care'],
  care2: ['mbr_care_2', 'Carlos Care'],
  stranger: ['mbr_stranger', 'Stan Stranger'],
  addressee: ['mbr_addressee', 'Dana Direct'],
} as const;
type Who = keyof typeof STAFF;
const id = (who: Who) => STAFF[who][0];
const PATIENT = 'pat_ruth';
const PATIENT_NAME = 'Ruth Patient';

const bed = new ServiceTestBed(
  { appModule: (c) => AppModule.forConfig(c), loadConfig, description: SERVICE },
  'inbox-it',
);
let app: INestApplication;
let feed: DirectoryFeed;
const api = () => request(app.getHttpServer());
const bearer = async (
  sub: string,
  actor: ActorKind = 'member',
  practiceId = practice,
  scope?: string[],
) => `Bearer ${await mintToken(TEST_JWT_SECRET, { sub, practiceId, actor }, { scope })}`;
const get = async (path: string, sub: string, actor: ActorKind = 'member') =>
  api()
    .get(path)
    .set('authorization', await bearer(sub, actor));

const publish = <T>(definition: EventDefinition<T>, data: T) =>
  bed.publish(definition, data, { source: '/tests/inbox' });

// --- Settings and directory -------------------------------------------------------------

type Draft = Pick<MessageGroupStateV1, 'name' | 'recipientMode' | 'members'>;
const group = (groupId: string, draft: Draft) =>
  bed.settings(practice).group({ groupId, ...draft });
const member = (who: Who, active = true) =>
  feed.member({ memberId: id(who), displayName: STAFF[who][1], roleId: null, active });
const patient = (careTeam: string[]) =>
  feed.patient({
    patientId: PATIENT,
    displayName: PATIENT_NAME,
    facilityId: null,
    categoryIds: [],
    careTeamMemberIds: careTeam,
    active: true,
  });

const BILLING = uniqueName('grp_billing');
const CARE = uniqueName('grp_care');
const billing = (members: Draft['members']): Draft => ({
  name: 'Billing Team',
  recipientMode: 'specific-members',
  members,
});
const fullBilling = billing([
  { memberId: id('admin'), privilege: 'admin' },
  { memberId: id('userA'), privilege: 'user' },
  { memberId: id('userB'), privilege: 'user' },
]);
const careDraft: Draft = {
  name: 'Care Coordination',
  recipientMode: 'care-team',
  members: [{ memberId: id('admin'), privilege: 'admin' }],
};

// --- Threads, as the intake and routing-assignment publish them -------------------------

const ACKNOWLEDGEMENT = 'We received your message and will answer within one business day.';

let clock = Date.parse('2026-06-01T08:00:00.000Z');
const tick = () => new Date((clock += 60_000)).toISOString();

class ThreadScript {
  readonly threadId = uniqueName('thr');
  private version = 0;
  private intake = 0;
  readonly events: { definition: EventDefinition<unknown>; data: unknown }[] = [];
  constructor(
    readonly to: { groupId?: string; memberId?: string },
    readonly routing: 'specific-members' | 'care-team' | 'direct',
    readonly subject = 'About my bill',
  ) {}
  private add<T>(definition: EventDefinition<T>, data: T) {
    this.events.push({ definition: definition as EventDefinition<unknown>, data });
    return this;
  }
  private fact() {
    return {
      practiceId: practice,
      threadId: this.threadId,
      groupId: this.to.groupId ?? null,
      threadVersion: ++this.version,
      occurredAt: tick(),
    };
  }
  /** The patient's latest message: what an acknowledgement answers, when the wait began. */
  private lastMessage = { messageId: '', sentAt: '' };
  message(body = 'I was charged twice.') {
    this.lastMessage = { messageId: uniqueName('msg'), sentAt: tick() };
    return this.add(MessageSentV1, {
      practiceId: practice,
      threadId: this.threadId,
      messageId: this.lastMessage.messageId,
      patientId: PATIENT,
      recipientKind: this.to.groupId ? ('group' as const) : ('member' as const),
      groupId: this.to.groupId ?? null,
      memberId: this.to.memberId ?? null,
      subject: this.subject,
      body,
      followUp: this.intake > 0,
      threadVersion: ++this.intake,
      sentAt: this.lastMessage.sentAt,
    });
  }
  routed() {
    return this.add(MessageRoutedV1, {
      ...this.fact(),
      patientId: PATIENT,
      routing: this.routing,
      memberId: this.to.memberId ?? null,
    });
  }
  assigned(to: Who, previous: Who | null = null) {
    return this.add(MessageAssignedV1, {
      ...this.fact(),
      assigneeMemberId: id(to),
      previousAssigneeMemberId: previous ? id(previous) : null,
      assignedByMemberId: id('admin'),
    });
  }
  /** MessageAssigned v2: by the Admin (manual), or by the system (automatic, cover). */
  assignedV2(to: Who, how: AssignmentHow, previous: Who | null = null) {
    return this.add(MessageAssignedV2, {
      ...this.fact(),
      assigneeMemberId: id(to),
      previousAssigneeMemberId: previous ? id(previous) : null,
      assignedByMemberId: how === 'manual' ? id('admin') : null,
      how,
    });
  }
  unassigned(previous: Who, reason: UnassignReasonV2) {
    return this.add(MessageUnassignedV2, {
      ...this.fact(),
      previousAssigneeMemberId: id(previous),
      reason,
    });
  }
  /** The group's first-response target passed (counted from the latest message here). */
  overdue(targetSeconds = 3600) {
    const fact = this.fact();
    return this.add(MessageResponseOverdueV1, {
      ...fact,
      awaitingSince: this.lastMessage.sentAt,
      respondBy: fact.occurredAt,
      targetSeconds,
    });
  }
  /** The group's automatic acknowledgement of the latest message. */
  acknowledged(
    body = ACKNOWLEDGEMENT,
    sender = 'Billing Team',
    acknowledgementId = uniqueName('ack'),
  ) {
    return this.add(AcknowledgementSentV1, {
      ...this.fact(),
      acknowledgementId,
      messageId: this.lastMessage.messageId,
      senderDisplayName: sender,
      body,
      when: 'always' as const,
    });
  }
  replied(by: Who, sender = 'Billing Team') {
    return this.add(ReplySentV1, {
      ...this.fact(),
      replyId: uniqueName('rpl'),
      senderDisplayName: sender,
      repliedByMemberId: id(by),
      body: 'Your results are in.',
    });
  }
  trashed() {
    return this.add(MessageTrashedV1, { ...this.fact(), byMemberId: id('admin') });
  }
  /** The audience routing-assignment would publish: who may see the thread now, and why. */
  private audienceVersion = 0;
  audience(...members: [Who, AudienceReason][]) {
    return this.add(ThreadAudienceChangedV1, {
      practiceId: practice,
      threadId: this.threadId,
      groupId: this.to.groupId ?? null,
      patientId: PATIENT,
      audienceVersion: ++this.audienceVersion,
      members: members
        .map(([who, reason]) => ({ memberId: id(who), reason }))
        .sort((a, b) => a.memberId.localeCompare(b.memberId)),
      occurredAt: tick(),
    });
  }
  /** Publishes the events not published yet, in order (or in the order given). */
  private sent = 0;
  async flush(order?: number[]) {
    const pending = this.events.slice(this.sent);
    this.sent = this.events.length;
    for (const i of order ?? pending.map((_, k) => k)) {
      await publish(pending[i]!.definition, pending[i]!.data);
    }
    return this;
  }
}

// --- Reads ------------------------------------------------------------------------------

const threadIds = async (who: Who, groupKey: string, filter = 'all') => {
  const path =
    groupKey === 'direct'
      ? `/inbox/direct?filter=${filter}`
      : `/inbox/groups/${groupKey}/threads?filter=${filter}&limit=100`;
  const res = await get(path, id(who));
  return res.status === 200
    ? (res.body.threads as { threadId: string }[]).map((t) => t.threadId)
    : [];
};
const canOpen = async (who: Who, threadId: string) =>
  (await get(`/inbox/threads/${threadId}`, id(who))).status === 200;

/** Waits until exactly `who` (among all staff) can open the thread. */
async function visibleTo(threadId: string, groupKey: string, expected: Who[]) {
  const all = Object.keys(STAFF) as Who[];
  await waitFor(
    async () => {
      const seen: Who[] = [];
      for (const who of all)
        if ((await threadIds(who, groupKey)).includes(threadId)) seen.push(who);
      return seen;
    },
    (seen) => JSON.stringify(seen) === JSON.stringify(expected),
    { description: `${threadId} visible to ${expected.join(',')}` },
  );
  for (const who of all) expect(await canOpen(who, threadId)).toBe(expected.includes(who));
}

const generations = () => app.get(Generations);
async function snapshot(filter: Record<string, string>) {
  const store = await generations().active();
  return snapshotOf(store.generation, filter);
}
async function snapshotOf(generation: number, filter: Record<string, string>) {
  const store = generations().store(generation);
  const views = await store.views.find(filter).toArray();
  const entries = await store.entries.find(filter).toArray();
  const sort = <T extends { _id: unknown }>(xs: T[]) =>
    xs.sort((a, b) => String(a._id).localeCompare(String(b._id)));
  return { views: sort(views), entries: sort(entries) };
}

beforeAll(async () => {
  // The service's own client reports its commands: the hot-query plans below explain what it sent.
  app = await bed.start({ MONGODB_URI: monitoredUri(testInfrastructure().mongoUri) });
  await bed.connect();
  feed = bed.directory(practice);
  await feed.practice({ name: PRACTICE_NAME, plan: 'paid' });
  for (const who of Object.keys(STAFF) as Who[]) await member(who);
  await patient([id('care')]);
  await group(BILLING, fullBilling);
  await group(CARE, careDraft);
  await waitFor(
    async () => {
      const r = await get('/inbox/groups', id('admin'));
      return r.body.groups?.length ?? 0;
    },
    (n) => n === 2,
    { description: 'both groups replicated', timeoutMs: 90_000 },
  );
}, 120_000);

afterAll(() => bed.stop());

describe('who sees a thread: the audience routing-assignment publishes', () => {
  let t1: ThreadScript;
  let t2: ThreadScript;
  let t3: ThreadScript;

  it('lists each thread to its audience and 404s everyone else', async () => {
    t1 = await new ThreadScript({ groupId: BILLING }, 'specific-members')
      .message()
      .routed()
      .audience(['admin', 'admin'])
      .flush();
    t2 = await new ThreadScript({ groupId: CARE }, 'care-team', 'Refill')
      .message()
      .routed()
      .audience(['admin', 'admin'], ['care', 'care-team'])
      .flush();
    t3 = await new ThreadScript({ memberId: id('addressee') }, 'direct', 'Personal')
      .message()
      .routed()
      .audience(['addressee', 'addressee'])
      .flush();
    await visibleTo(t1.threadId, BILLING, ['admin']);
    await visibleTo(t2.threadId, CARE, ['admin', 'care']);
    await visibleTo(t3.threadId, 'direct', ['addressee']);
  });

  it('moves a reassigned thread from the old User to the new one', async () => {
    await t1.assigned('userA').audience(['admin', 'admin'], ['userA', 'assignee']).flush();
    await visibleTo(t1.threadId, BILLING, ['admin', 'userA']);
    await t1.assigned('userB', 'userA').audience(['admin', 'admin'], ['userB', 'assignee']).flush();
    await visibleTo(t1.threadId, BILLING, ['admin', 'userB']);
  });

  it('takes a new audience at once, and an older one arriving late changes nothing', async () => {
    // A User promoted to Admin: routing-assignment publishes the audience before anything else.
    await t1.audience(['admin', 'admin'], ['userA', 'admin'], ['userB', 'assignee']).flush();
    await visibleTo(t1.threadId, BILLING, ['admin', 'userA', 'userB']);
    const late = t1.events.at(-4)!; // audience 2: user A the assignee
    expect(late.definition).toBe(ThreadAudienceChangedV1);
    await publish(late.definition, late.data);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await visibleTo(t1.threadId, BILLING, ['admin', 'userA', 'userB']);
    await t1.audience(['admin', 'admin'], ['userB', 'assignee']).flush();
    await visibleTo(t1.threadId, BILLING, ['admin', 'userB']);
  });

  it('shows My groups to active members only (the directory names who is active)', async () => {
    await member('admin', false);
    await waitFor(
      async () => (await get('/inbox/groups', id('admin'))).body.groups,
      (groups) => Array.isArray(groups) && groups.length === 0,
      { description: "an inactive member's groups" },
    );
    await member('admin', true);
    await waitFor(
      async () => (await get('/inbox/groups', id('admin'))).body.groups ?? [],
      (groups) => groups.length === 2,
      { description: "a reactivated member's groups" },
    );
  });

  it('lists a care-team group to a care-team member who holds its threads', async () => {
    await t2.audience(['admin', 'admin'], ['care2', 'care-team']).flush();
    await visibleTo(t2.threadId, CARE, ['admin', 'care2']);
    const care2Groups = (await get('/inbox/groups', id('care2'))).body.groups;
    expect(
      care2Groups.map((g: { groupId: string; admin: boolean }) => [g.groupId, g.admin]),
    ).toEqual([[CARE, false]]);
  });

  it('removes a thread from every inbox when its audience is empty', async () => {
    await t2.audience().flush();
    await waitFor(
      () => canOpen('admin', t2.threadId),
      (ok) => !ok,
      { description: 'thread gone' },
    );
    for (const who of Object.keys(STAFF) as Who[])
      expect(await canOpen(who, t2.threadId)).toBe(false);
  });

  it('shows the timeline to Admins and the addressee only, and marks read on open', async () => {
    const asAdmin = await get(`/inbox/threads/${t1.threadId}`, id('admin'));
    expect(asAdmin.body.timeline.entries.map((e: { kind: string }) => e.kind)).toEqual([
      'sent',
      'routed',
      'assigned',
      'assigned',
    ]);
    const asUser = await get(`/inbox/threads/${t1.threadId}`, id('userB'));
    expect(asUser.body.timeline).toBeNull();
    const direct = await get(`/inbox/threads/${t3.threadId}`, id('addressee'));
    expect(direct.body.timeline).not.toBeNull();
    const groups = (await get('/inbox/groups', id('userB'))).body.groups;
    expect(groups.find((g: { groupId: string }) => g.groupId === BILLING).unread).toBe(0);
  });

  it('answers 404 to another practice and refuses patients on member routes', async () => {
    const other = await api()
      .get(`/inbox/threads/${t1.threadId}`)
      .set('authorization', await bearer(id('admin'), 'member', uniqueName('prc')));
    expect(other.status).toBe(404);
    expect(other.body.code).toBe('thread-not-found');
    expect((await get('/inbox/groups', PATIENT, 'patient')).status).toBe(403);
  });
});

describe('filters, counts, pagination and search', () => {
  const GROUP = uniqueName('grp_front');
  const scripts: ThreadScript[] = [];

  beforeAll(async () => {
    await group(GROUP, {
      name: 'Front Office',
      recipientMode: 'specific-members',
      members: [{ memberId: id('admin'), privilege: 'admin' }],
    });
    for (let i = 0; i < 5; i++) {
      const s = new ThreadScript({ groupId: GROUP }, 'specific-members', `Question ${i}`)
        .message()
        .routed()
        .audience(['admin', 'admin']);
      if (i === 1 || i === 2) s.replied('admin', 'Front Office');
      if (i === 3) s.trashed();
      scripts.push(await s.flush());
    }
    await waitFor(
      () => threadIds('admin', GROUP, 'trash'),
      (ids) => ids.length === 1,
      {
        description: 'front office threads',
      },
    );
    await waitFor(
      () => threadIds('admin', GROUP, 'replied'),
      (ids) => ids.length === 2,
    );
    // Every thread, not only the ones above: the last one may still be on its way.
    await waitFor(
      () => threadIds('admin', GROUP, 'all'),
      (ids) => ids.length === 4,
      { description: 'all four live front office threads' },
    );
  });

  it('filters by status, newest activity first; All excludes Trash', async () => {
    const [t0, t1, t2, t3, t4] = scripts.map((s) => s.threadId);
    expect(await threadIds('admin', GROUP, 'all')).toEqual([t4, t2, t1, t0]);
    expect(await threadIds('admin', GROUP, 'not-replied')).toEqual([t4, t0]);
    expect(await threadIds('admin', GROUP, 'replied')).toEqual([t2, t1]);
    expect(await threadIds('admin', GROUP, 'trash')).toEqual([t3]);
  });

  it('counts per status and unread', async () => {
    const groups = (await get('/inbox/groups', id('admin'))).body.groups;
    expect(groups.find((g: { groupId: string }) => g.groupId === GROUP)).toMatchObject({
      name: 'Front Office',
      admin: true,
      counts: { notReplied: 2, replied: 2, trash: 1 },
      unread: 4,
    });
    await get(`/inbox/threads/${scripts[0]!.threadId}`, id('admin'));
    const after = (await get('/inbox/groups', id('admin'))).body.groups;
    expect(after.find((g: { groupId: string }) => g.groupId === GROUP).unread).toBe(3);
  });

  it('pages with a cursor', async () => {
    const seen: string[] = [];
    let cursor = '';
    for (let page = 0; page < 3; page++) {
      const res = await get(
        `/inbox/groups/${GROUP}/threads?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        id('admin'),
      );
      expect(res.status).toBe(200);
      seen.push(...res.body.threads.map((t: { threadId: string }) => t.threadId));
      cursor = res.body.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(await threadIds('admin', GROUP, 'all'));
    expect((await get(`/inbox/groups/${GROUP}/threads?cursor=bogus`, id('admin'))).status).toBe(
      422,
    );
  });

  it('searches by subject and patient name', async () => {
    const bySubject = await get(`/inbox/groups/${GROUP}/threads?q=question%204`, id('admin'));
    expect(bySubject.body.threads.map((t: { threadId: string }) => t.threadId)).toEqual([
      scripts[4]!.threadId,
    ]);
    const byPatient = await get(`/inbox/groups/${GROUP}/threads?q=ruth`, id('admin'));
    expect(byPatient.body.threads).toHaveLength(4);
  });

  it('404s a group the member is not part of', async () => {
    expect((await get(`/inbox/groups/${GROUP}/threads`, id('userA'))).status).toBe(404);
  });
});

describe('patient mailbox', () => {
  const PATIENT_GROUP = uniqueName('grp_lab');
  let replied: ThreadScript;
  let waiting: ThreadScript;
  let direct: ThreadScript;

  beforeAll(async () => {
    await group(PATIENT_GROUP, {
      name: 'Lab Services',
      recipientMode: 'specific-members',
      members: [
        { memberId: id('admin'), privilege: 'admin' },
        { memberId: id('userA'), privilege: 'user' },
      ],
    });
    replied = await new ThreadScript({ groupId: PATIENT_GROUP }, 'specific-members', 'Lab results')
      .message()
      .routed()
      .assigned('userA')
      .audience(['admin', 'admin'], ['userA', 'assignee'])
      .replied('userA', 'Lab Services')
      .flush();
    waiting = await new ThreadScript({ groupId: PATIENT_GROUP }, 'specific-members', 'Fasting?')
      .message()
      .routed()
      .audience(['admin', 'admin'])
      .flush();
    direct = await new ThreadScript({ memberId: id('addressee') }, 'direct', 'Thanks')
      .message()
      .routed()
      .audience(['addressee', 'addressee'])
      .replied('addressee', PRACTICE_NAME)
      .flush();
    await waitFor(
      async () => (await get('/mailbox?box=inbox', PATIENT, 'patient')).body.threads ?? [],
      (threads: { threadId: string }[]) =>
        [replied, direct].every((t) => threads.some((x) => x.threadId === t.threadId)),
      { description: 'patient inbox' },
    );
    await waitFor(
      async () => (await get('/mailbox?box=sent', PATIENT, 'patient')).body.threads ?? [],
      (threads: { threadId: string }[]) => threads.some((x) => x.threadId === waiting.threadId),
      { description: 'patient sent' },
    );
  });

  it('lists Inbox, Unread and Sent, and searches by group name', async () => {
    const inbox = await get('/mailbox?box=inbox&q=lab%20serv', PATIENT, 'patient');
    expect(inbox.body.threads).toEqual([
      expect.objectContaining({
        threadId: replied.threadId,
        groupName: 'Lab Services',
        unreadReplies: 1,
      }),
    ]);
    const sent = await get(`/mailbox?box=sent&q=lab`, PATIENT, 'patient');
    expect(sent.body.threads.map((t: { threadId: string }) => t.threadId)).toEqual([
      waiting.threadId,
      replied.threadId,
    ]);
    const unread = await get('/mailbox?box=unread', PATIENT, 'patient');
    expect(unread.body.threads.map((t: { threadId: string }) => t.threadId)).toEqual(
      expect.arrayContaining([replied.threadId, direct.threadId]),
    );
    await get(`/mailbox/threads/${replied.threadId}`, PATIENT, 'patient').then((r) =>
      expect(r.status).toBe(200),
    );
    const after = await get('/mailbox?box=unread', PATIENT, 'patient');
    expect(after.body.threads.map((t: { threadId: string }) => t.threadId)).not.toContain(
      replied.threadId,
    );
  });

  it('never shows a staff identity to a patient', async () => {
    const bodies = [
      await get('/mailbox?box=inbox', PATIENT, 'patient'),
      await get('/mailbox?box=sent', PATIENT, 'patient'),
      await get('/mailbox?box=unread', PATIENT, 'patient'),
      await get(`/mailbox/threads/${replied.threadId}`, PATIENT, 'patient'),
      await get(`/mailbox/threads/${direct.threadId}`, PATIENT, 'patient'),
    ].map((r) => JSON.stringify(r.body));
    const thread = JSON.parse(bodies[4]!);
    expect(thread.replies[0].from).toBe(PRACTICE_NAME);
    for (const body of bodies) {
      for (const [memberId, name] of Object.values(STAFF)) {
        expect(body).not.toContain(memberId);
        expect(body).not.toContain(name);
      }
      expect(body).not.toContain('mbr_');
    }
  });

  it("404s another patient's thread and member routes refuse patients", async () => {
    expect((await get(`/mailbox/threads/${replied.threadId}`, 'pat_other', 'patient')).status).toBe(
      404,
    );
    expect((await get('/mailbox', id('admin'))).status).toBe(403);
  });
});

describe('idempotency and ordering', () => {
  const ORDER_GROUP = uniqueName('grp_order');
  const normalise = (s: Awaited<ReturnType<typeof snapshot>>, threadId: string) =>
    JSON.parse(JSON.stringify(s).split(threadId).join('THREAD'));

  beforeAll(() =>
    group(ORDER_GROUP, {
      name: 'Ordering',
      recipientMode: 'specific-members',
      members: [
        { memberId: id('admin'), privilege: 'admin' },
        { memberId: id('userA'), privilege: 'user' },
      ],
    }),
  );

  function script() {
    return new ThreadScript({ groupId: ORDER_GROUP }, 'specific-members')
      .message()
      .routed()
      .assigned('userA')
      .replied('userA', 'Ordering')
      .message('Follow-up')
      .audience(['admin', 'admin'], ['userA', 'assignee']);
  }

  async function settled(threadId: string) {
    await waitFor(
      () => snapshot({ threadId }).then((s) => s.entries),
      (entries) =>
        entries.length === 2 &&
        entries.every((e) => e.messageCount === 2 && e.practiceVersion === 3),
      { description: `thread ${threadId} settled` },
    );
    const views = (await snapshot({ _id: threadId } as never)).views;
    return { views, entries: (await snapshot({ threadId })).entries };
  }

  it('gives the same state when every event is delivered twice (same and new event ids)', async () => {
    clock += 3_600_000;
    const once = script();
    await once.flush();
    const reference = normalise(await settled(once.threadId), once.threadId);
    clock -= 5 * 60_000 + 3_600_000 - 3_600_000;
    const twice = script();
    for (const e of twice.events) {
      const envelope = await publish(e.definition, e.data);
      await bed.producer.send({
        topic: e.definition.topic.name,
        acks: -1,
        messages: [toWireRecord(envelope as EventEnvelope)],
      });
      await publish(e.definition, e.data);
    }
    const result = normalise(await settled(twice.threadId), twice.threadId);
    expect(stripTimes(result)).toEqual(stripTimes(reference));
  });

  it('tolerates cross-topic orderings (reply before message, assigned before routed)', async () => {
    const ordered = script();
    await ordered.flush();
    const reference = stripTimes(normalise(await settled(ordered.threadId), ordered.threadId));
    const shuffled = script();
    // audience, replied, assigned, follow-up, routed, first message
    await shuffled.flush([5, 3, 2, 4, 1, 0]);
    const result = stripTimes(normalise(await settled(shuffled.threadId), shuffled.threadId));
    expect(result).toEqual(reference);
  });
});

/** Ids and times differ between two scripted threads; the shape of the state must not. */
function stripTimes(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value)
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, 'T')
      .replace(/(msg|rpl)_[0-9a-f]{12}/g, 'ID'),
  );
}

describe('server-sent events', () => {
  it('reads what a channel would have told once its SUBSCRIBE is acknowledged, then what it tells', async () => {
    const hub = app.get(FeedHub);
    const channel = uniqueName('gm:test:feed');
    const told: unknown[] = [];
    // A deactivation applied between a feed's guard and its SUBSCRIBE is read from the replica instead.
    const subscription = hub
      .signals<{ kind: string }>(channel, async () => ({ kind: 'caught-up' }))
      .subscribe((message) => told.push(message));
    try {
      await waitFor(
        async () => told,
        (seen) => seen.length === 1,
        { description: 'the catch-up message' },
      );
      await app.get<Redis>(REDIS).publish(channel, JSON.stringify({ kind: 'published' }));
      await waitFor(
        async () => told,
        (seen) => seen.length === 2,
        { description: 'the published message' },
      );
      expect(told).toEqual([{ kind: 'caught-up' }, { kind: 'published' }]);
    } finally {
      subscription.unsubscribe();
    }
  });

  it("refuses a deactivated member's feed, and ends an open one when the deactivation arrives", async () => {
    const server = app.getHttpServer() as http.Server;
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, resolve));
    const port = (server.address() as AddressInfo).port;
    const open = async (sub: string) => {
      const req = http.get({
        port,
        path: '/inbox/events',
        headers: { authorization: await bearer(sub) },
      });
      const res = await new Promise<http.IncomingMessage>((resolve) => req.on('response', resolve));
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      const ended = new Promise<void>((resolve) => res.on('end', resolve));
      return { res, ended, body: () => body, close: () => req.destroy() };
    };
    const opened = await open(id('userB'));
    try {
      expect(opened.res.statusCode).toBe(200);
      await member('userB', false);
      await Promise.race([
        opened.ended,
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error('the feed stayed open')), 15_000),
        ),
      ]);
      const refused = await open(id('userB'));
      await refused.ended;
      expect(refused.res.statusCode).toBe(403);
      expect(refused.res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(refused.body())).toMatchObject({ status: 403, code: 'member-inactive' });
    } finally {
      opened.close();
      await member('userB', true);
    }
    await waitFor(
      async () => {
        const again = await open(id('userB'));
        again.close();
        return again.res.statusCode;
      },
      (status) => status === 200,
      { description: 'a reactivated member has a feed again' },
    );
  });

  it('delivers a change to the right member and to no one else', async () => {
    const server = app.getHttpServer() as http.Server;
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, resolve));
    const port = (server.address() as AddressInfo).port;
    const listen = async (sub: string) => {
      const received: string[] = [];
      const token = await bearer(sub);
      const req = http.get({ port, path: '/inbox/events', headers: { authorization: token } });
      await new Promise<void>((resolve) =>
        req.on('response', (res) => {
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => received.push(chunk));
          resolve();
        }),
      );
      return { received, close: () => req.destroy() };
    };
    const userA = await listen(id('userA'));
    const userB = await listen(id('userB'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const t = await new ThreadScript({ groupId: BILLING }, 'specific-members')
      .message()
      .routed()
      .assigned('userA')
      .audience(['admin', 'admin'], ['userA', 'assignee'])
      .flush();
    try {
      await waitFor(
        async () => userA.received.join(''),
        (text) => text.includes(t.threadId),
        {
          description: 'SSE signal to user A',
        },
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(userB.received.join('')).not.toContain(t.threadId);
      expect(userA.received.join('')).not.toContain('About my bill');
    } finally {
      userA.close();
      userB.close();
    }
  });
});

describe('team workflow: overdue, return to queue, acknowledgements', () => {
  const WORKFLOW = uniqueName('grp_workflow');
  const GROUP_NAME = 'Referrals';

  beforeAll(async () => {
    await group(WORKFLOW, {
      name: GROUP_NAME,
      recipientMode: 'specific-members',
      members: [
        { memberId: id('admin'), privilege: 'admin' },
        { memberId: id('userA'), privilege: 'user' },
      ],
    });
    await waitFor(
      async () => (await get('/inbox/groups', id('userA'))).body.groups ?? [],
      (groups: { groupId: string }[]) => groups.some((g) => g.groupId === WORKFLOW),
      { description: 'the workflow group replicated' },
    );
  });

  const counts = async (who: Who) =>
    (
      (await get('/inbox/groups', id(who))).body.groups as { groupId: string; counts: object }[]
    ).find((g) => g.groupId === WORKFLOW)!.counts as { notReplied: number; overdue: number };
  const listed = async (who: Who, threadId: string) =>
    (
      (await get(`/inbox/groups/${WORKFLOW}/threads?limit=100`, id(who))).body.threads as {
        threadId: string;
        overdue: boolean;
      }[]
    ).find((t) => t.threadId === threadId);

  it('lists an overdue thread under Overdue and counts it in My groups, until a reply', async () => {
    const late = await new ThreadScript({ groupId: WORKFLOW }, 'specific-members', 'Referral')
      .message()
      .routed()
      .assignedV2('userA', 'automatic')
      .audience(['admin', 'admin'], ['userA', 'assignee'])
      .overdue()
      .flush();
    const onTime = await new ThreadScript({ groupId: WORKFLOW }, 'specific-members', 'On time')
      .message()
      .routed()
      .audience(['admin', 'admin'])
      .flush();
    await visibleTo(onTime.threadId, WORKFLOW, ['admin']);
    await waitFor(
      () => threadIds('admin', WORKFLOW, 'overdue'),
      (ids) => ids.length === 1,
      { description: 'the Overdue filter' },
    );
    expect(await threadIds('admin', WORKFLOW, 'overdue')).toEqual([late.threadId]);
    expect(await threadIds('userA', WORKFLOW, 'overdue')).toEqual([late.threadId]);
    expect(await listed('admin', late.threadId)).toMatchObject({ overdue: true });
    expect(await listed('admin', onTime.threadId)).toMatchObject({ overdue: false });
    expect(await counts('admin')).toMatchObject({ notReplied: 2, overdue: 1 });
    expect(await counts('userA')).toMatchObject({ notReplied: 1, overdue: 1 });

    const opened = (await get(`/inbox/threads/${late.threadId}`, id('admin'))).body;
    expect(opened.overdue).toBe(true);
    const steps = opened.timeline.entries as {
      kind: string;
      actorKind: string;
      details: Record<string, unknown>;
    }[];
    expect(steps.map((e) => e.kind)).toEqual(['sent', 'routed', 'assigned', 'overdue']);
    expect(steps[2]).toMatchObject({ actorKind: 'system', details: { how: 'automatic' } });
    expect(steps[3]).toMatchObject({ actorKind: 'system', details: { targetSeconds: 3600 } });
    expect((await get(`/inbox/threads/${late.threadId}`, id('userA'))).body).toMatchObject({
      overdue: true,
      timeline: null,
    });

    await late.replied('userA', GROUP_NAME).flush();
    await waitFor(
      () => threadIds('admin', WORKFLOW, 'overdue'),
      (ids) => ids.length === 0,
      { description: 'no longer overdue after the reply' },
    );
    expect(await counts('admin')).toMatchObject({ notReplied: 1, overdue: 0 });
    expect((await get(`/inbox/threads/${late.threadId}`, id('admin'))).body.overdue).toBe(false);
  });

  it('shows the patient the acknowledgement, marked automatic, while the thread awaits a reply', async () => {
    const acknowledgementId = uniqueName('ack');
    const thread = await new ThreadScript({ groupId: WORKFLOW }, 'specific-members', 'New patient')
      .message()
      .routed()
      .audience(['admin', 'admin'])
      .acknowledged(ACKNOWLEDGEMENT, GROUP_NAME, acknowledgementId)
      .flush();
    const mine = async () =>
      (await get(`/mailbox/threads/${thread.threadId}`, PATIENT, 'patient')).body;
    await waitFor(mine, (body) => body.replies?.length === 1, { description: 'acknowledgement' });
    // Published again (a new event for the same acknowledgement): stored once.
    const again = thread.events.at(-1)!;
    await publish(again.definition, again.data);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await mine()).toMatchObject({
      groupName: GROUP_NAME,
      status: 'awaiting-reply',
      replies: [
        { replyId: acknowledgementId, body: ACKNOWLEDGEMENT, from: GROUP_NAME, automatic: true },
      ],
    });
    // Not a reply: not in the patient's Inbox nor Unread, no reply counted in Sent.
    const box = async (name: string) =>
      (
        (await get(`/mailbox?box=${name}&limit=100`, PATIENT, 'patient')).body.threads as {
          threadId: string;
          replies: number;
          unreadReplies: number;
        }[]
      ).find((t) => t.threadId === thread.threadId);
    expect(await box('inbox')).toBeUndefined();
    expect(await box('unread')).toBeUndefined();
    expect(await box('sent')).toMatchObject({ replies: 0, unreadReplies: 0 });
    // Staff: still Not Replied; the text for whoever may open it, a system step without it.
    expect(await listed('admin', thread.threadId)).toMatchObject({ status: 'not-replied' });
    const staff = (await get(`/inbox/threads/${thread.threadId}`, id('admin'))).body;
    expect(staff.replies).toEqual([]);
    expect(staff.acknowledgements).toEqual([
      expect.objectContaining({
        acknowledgementId,
        body: ACKNOWLEDGEMENT,
        senderDisplayName: GROUP_NAME,
      }),
    ]);
    expect(staff.timeline.entries.at(-1)).toMatchObject({
      kind: 'acknowledged',
      actorKind: 'system',
      actorId: null,
    });
    expect(JSON.stringify(staff.timeline)).not.toContain(ACKNOWLEDGEMENT);

    await thread.replied('admin', GROUP_NAME).flush();
    // In the Inbox with one reply, one unread: the acknowledgement counts as neither.
    await waitFor(
      () => box('inbox'),
      (listed) => listed?.replies === 1,
      { description: 'the reply in the Inbox' },
    );
    expect(await box('inbox')).toMatchObject({ replies: 1, unreadReplies: 1 });
    const answered = await mine();
    expect(answered.status).toBe('replied');
    expect(answered.replies.map((r: { automatic: boolean }) => r.automatic)).toEqual([true, false]);
  });

  it("signals the group's Admins when a thread becomes overdue and when it returns to the queue", async () => {
    const server = app.getHttpServer() as http.Server;
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, resolve));
    const port = (server.address() as AddressInfo).port;
    const listen = async (who: Who) => {
      let text = '';
      const req = http.get({
        port,
        path: '/inbox/events',
        headers: { authorization: await bearer(id(who)) },
      });
      await new Promise<void>((resolve) =>
        req.on('response', (res) => {
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          resolve();
        }),
      );
      const signals = () =>
        text
          .split('\n')
          .filter((line) => line.startsWith('data: '))
          .map(
            (line) =>
              JSON.parse(line.slice('data: '.length)) as { threadId?: string; kind?: string },
          );
      return { text: () => text, signals, close: () => req.destroy() };
    };
    const admin = await listen('admin');
    const user = await listen('userA');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const thread = await new ThreadScript({ groupId: WORKFLOW }, 'specific-members', 'Silent')
      .message()
      .routed()
      .assignedV2('userA', 'automatic')
      .audience(['admin', 'admin'], ['userA', 'assignee'])
      .flush();
    const kinds = (feed: typeof admin) =>
      feed
        .signals()
        .filter((s) => s.threadId === thread.threadId)
        .map((s) => s.kind);
    try {
      await visibleTo(thread.threadId, WORKFLOW, ['admin', 'userA']);
      await thread.overdue().flush();
      await waitFor(
        async () => kinds(admin),
        (seen) => seen.includes('overdue'),
        { description: 'the overdue signal to the Admin' },
      );
      await thread.unassigned('userA', 'assignee-silent').audience(['admin', 'admin']).flush();
      await waitFor(
        async () => kinds(admin),
        (seen) => seen.includes('returned-to-queue'),
        { description: 'the returned-to-queue signal to the Admin' },
      );
      await visibleTo(thread.threadId, WORKFLOW, ['admin']);
      expect(kinds(admin).filter((k) => k === 'overdue' || k === 'returned-to-queue')).toEqual([
        'overdue',
        'returned-to-queue',
      ]);
      // Users are not told (the assignee only sees the thread go), and no signal holds PHI.
      expect(kinds(user)).not.toContain('overdue');
      expect(kinds(user)).not.toContain('returned-to-queue');
      for (const signal of admin.signals()) {
        if (signal.threadId === thread.threadId)
          expect(Object.keys(signal).sort()).toEqual(['kind', 'threadId']);
      }
      expect(admin.text()).not.toContain('Silent');
      expect(admin.text()).not.toContain('charged twice');
    } finally {
      admin.close();
      user.close();
    }
  });
});

describe('presence: who else is viewing a thread or writing a reply', () => {
  type Present = { memberId: string; displayName: string | null; activity: string };
  /** Opens a member's presence watch of the thread; `latest()` is the last list it was told. */
  async function watch(who: Who, threadId: string) {
    const server = app.getHttpServer() as http.Server;
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, resolve));
    const req = http.get({
      port: (server.address() as AddressInfo).port,
      path: `/inbox/threads/${threadId}/presence`,
      headers: { authorization: await bearer(id(who)) },
    });
    const res = await new Promise<http.IncomingMessage>((resolve) => req.on('response', resolve));
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (text += chunk));
    const ended = new Promise<void>((resolve) => res.on('end', resolve));
    const events = () =>
      text
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => JSON.parse(line.slice('data: '.length)) as { present: Present[] });
    const told = (expected: string[]) =>
      waitFor(
        async () => (events().at(-1)?.present ?? []).map((p) => `${p.memberId}:${p.activity}`),
        (seen) => JSON.stringify(seen) === JSON.stringify(expected),
        { timeoutMs: 10_000, description: `${who} told ${expected.join(',') || 'nobody'}` },
      );
    return {
      status: res.statusCode,
      text: () => text,
      events,
      told,
      ended,
      close: () => req.destroy(),
    };
  }
  const signal = async (
    who: Who,
    threadId: string,
    activity: unknown,
    actor: ActorKind = 'member',
  ) =>
    api()
      .put(`/inbox/threads/${threadId}/presence`)
      .set('authorization', await bearer(id(who), actor))
      .send({ activity });
  const leave = async (who: Who, threadId: string) =>
    api()
      .delete(`/inbox/threads/${threadId}/presence`)
      .set('authorization', await bearer(id(who)));

  it('tells each member of the audience live, and drops a client that stops signalling', async () => {
    const thread = await new ThreadScript({ groupId: BILLING }, 'specific-members', 'Presence')
      .message('Presence body that must not leak')
      .routed()
      .assignedV2('userA', 'manual')
      .audience(['admin', 'admin'], ['userA', 'assignee'])
      .flush();
    await visibleTo(thread.threadId, BILLING, ['admin', 'userA']);
    const admin = await watch('admin', thread.threadId);
    const user = await watch('userA', thread.threadId);
    try {
      expect([admin.status, user.status]).toEqual([200, 200]);
      await admin.told([]);
      // The assignee opens the thread; the Admin starts writing a reply.
      expect((await signal('userA', thread.threadId, 'viewing')).status).toBe(204);
      await admin.told([`${id('userA')}:viewing`]);
      expect(admin.events().at(-1)!.present[0]!.displayName).toBe(STAFF.userA[1]);
      expect((await signal('admin', thread.threadId, 'writing')).status).toBe(204);
      await user.told([`${id('admin')}:writing`]);
      // Heartbeats of the same activity tell nobody anything new; the Admin keeps signalling.
      const told = admin.events().length;
      await signal('userA', thread.threadId, 'viewing');
      const keepWriting = setInterval(() => void signal('admin', thread.threadId, 'writing'), 500);
      try {
        // The assignee's client vanishes: gone within the time to live (2 s here) and a sweep.
        const vanished = Date.now();
        await admin.told([]);
        expect(Date.now() - vanished).toBeLessThan(2000 + 1000);
        expect(admin.events().length).toBe(told + 1);
        await user.told([`${id('admin')}:writing`]);
      } finally {
        clearInterval(keepWriting);
      }
      // The Admin closes the thread: the assignee learns at once.
      expect((await leave('admin', thread.threadId)).status).toBe(204);
      await user.told([]);
      // No PHI in any of it.
      for (const text of [admin.text(), user.text()]) {
        expect(text).not.toContain('Presence body');
        expect(text).not.toContain('Presence');
      }
    } finally {
      admin.close();
      user.close();
    }
  });

  it("is for the thread's audience only, and ends when a member leaves it", async () => {
    const thread = await new ThreadScript({ groupId: BILLING }, 'specific-members')
      .message()
      .routed()
      .assignedV2('userA', 'manual')
      .audience(['admin', 'admin'], ['userA', 'assignee'])
      .flush();
    await visibleTo(thread.threadId, BILLING, ['admin', 'userA']);
    // A member of the group outside the audience, and a thread that does not exist: 404 alike.
    for (const threadId of [thread.threadId, uniqueName('thr_missing')]) {
      expect((await signal('userB', threadId, 'viewing')).body.code).toBe('thread-not-found');
      const refused = await watch('userB', threadId);
      refused.close();
      expect(refused.status).toBe(404);
    }
    expect((await signal('userA', thread.threadId, 'viewing', 'patient')).status).toBe(403);
    for (const activity of ['typing', '', null, 7])
      expect((await signal('userA', thread.threadId, activity)).body.code).toBe(
        'validation-failed',
      );
    const user = await watch('userA', thread.threadId);
    try {
      await user.told([]);
      // The assignee loses the thread: their watch ends, and they may signal no more.
      await thread
        .unassigned('userA', 'member-removed-from-group')
        .audience(['admin', 'admin'])
        .flush();
      await Promise.race([
        user.ended,
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error('the watch stayed open')), 15_000),
        ),
      ]);
      expect((await signal('userA', thread.threadId, 'viewing')).body.code).toBe(
        'thread-not-found',
      );
    } finally {
      user.close();
    }
  });
});

describe('hot queries on a store with history', () => {
  test('lookups by id, dedupe, inbox pages (Overdue too), the mailbox and opens are all served by an index', async () => {
    const connection = app.get<Connection>(getConnectionToken());
    await padCollections(connection.db!);
    const plans = new QueryPlans(connection.getClient()).start();
    const thread = new ThreadScript({ groupId: BILLING }, 'specific-members', 'Hot query');
    await thread
      .message()
      .routed()
      .assigned('userA')
      .audience(['admin', 'admin'], ['userA', 'assignee'])
      .flush();
    await visibleTo(thread.threadId, BILLING, ['admin', 'userA']);
    await thread.overdue().flush();
    await waitFor(
      () => threadIds('admin', BILLING, 'overdue'),
      (ids) => ids.includes(thread.threadId),
      { description: 'the hot-query thread overdue' },
    );
    for (const filter of ['all', 'not-replied', 'trash', 'overdue'])
      await threadIds('admin', BILLING, filter);
    for (const filter of ['all', 'overdue']) {
      const first = await get(
        `/inbox/groups/${BILLING}/threads?filter=${filter}&limit=1`,
        id('admin'),
      );
      // A cursor of our own when there is no second page: the ranged shape is what is explained.
      const cursor = first.body.nextCursor ?? Buffer.from('9999|thr').toString('base64url');
      await get(
        `/inbox/groups/${BILLING}/threads?filter=${filter}&limit=1&cursor=${cursor}`,
        id('admin'),
      );
    }
    await get('/inbox/groups', id('admin'));
    await get('/mailbox?box=sent', PATIENT, 'patient');
    await get(`/mailbox/threads/${thread.threadId}`, PATIENT, 'patient');
    plans.stop();

    expect(plans.finds().length).toBeGreaterThan(5);
    expect(await plans.sequentialScans()).toEqual([]);
  });
});

describe('rebuild', () => {
  it('rebuilds from the event log into a new generation equal to the incremental one', async () => {
    const before = await generations().pointer();
    const incremental = await snapshotOf(before.active, { practiceId: practice });
    // A practice's own system client may not (ADR 0019); an operator's may.
    const refused = await api()
      .post('/admin/rebuild')
      .set('authorization', await bearer('svc_ehr', 'system'));
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('operator-only');
    const started = await api()
      .post('/admin/rebuild')
      .set('authorization', await bearer('svc_ops', 'system', practice, ['gm:operator']));
    expect(started.status).toBe(202);
    // Reads go on meanwhile.
    expect((await get('/inbox/groups', id('admin'))).status).toBe(200);
    const status = await app.get(InboxRebuild).settled();
    expect(status.state).toBe('done');
    const after = await generations().pointer();
    expect(after.active).toBe(before.active + 1);
    const rebuilt = await snapshotOf(after.active, { practiceId: practice });
    expect(rebuilt.views).toEqual(incremental.views);
    expect(rebuilt.entries).toEqual(incremental.entries);
    expect(rebuilt.entries.length).toBeGreaterThan(5);
  }, 120_000);

  it('runs one at a time across replicas, and any replica answers its status', async () => {
    const operator = await bearer('svc_ops', 'system', practice, ['gm:operator']);
    const { mongoDatabase } = app.get<InfrastructureConfig>(INFRASTRUCTURE_CONFIG);
    // Another replica of the same service (same database, same Redis) holds the rebuild.
    const other = new RebuildClaim<RebuildStatus>(app.get<Redis>(REDIS), mongoDatabase);
    expect(await other.hold()).toBe(true);
    const elsewhere: RebuildStatus = {
      state: 'running',
      generation: 99,
      events: 42,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      eventsPerSecond: null,
    };
    await other.report(elsewhere);
    try {
      const refused = await api().post('/admin/rebuild').set('authorization', operator);
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('rebuild-running');
      const status = await api().get('/admin/rebuild').set('authorization', operator);
      expect(status.body).toMatchObject({ state: 'running', generation: 99, events: 42 });
    } finally {
      await other.release();
    }
    // Its claim gone while its report still says running: that replica was stopped mid-way.
    const interrupted = await api().get('/admin/rebuild').set('authorization', operator);
    expect(interrupted.body).toMatchObject({ state: 'failed', generation: 99 });
  });
});
