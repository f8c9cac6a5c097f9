/**
 * Progress reports against the real servers: a seeded history of ThreadFacts
 * on gm.analytics.threads (as routing-assignment publishes them, some twice,
 * some out of order) gives the figures worked out by hand, in JSON and CSV;
 * only the group's Admins and the Practice Access holders may read them; a
 * bad period changes nothing; each read is recorded; and a rebuild of the
 * read model gives the same report.
 */
import { mintToken, type ActorKind } from '@gm/auth';
import {
  buildEnvelope,
  PRIVILEGES,
  ThreadFactV1,
  TOPICS,
  toWireRecord,
  type AccessRecordedV2,
} from '@gm/contracts';
import { ServiceTestBed, TEST_JWT_SECRET, uniqueName, waitFor } from '@gm/testing';
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { AppModule } from '../app.module.js';
import { loadConfig } from '../config.js';
import { InboxRebuild } from '../inbox/application/rebuild-projection/inbox-rebuild.js';
import { SERVICE } from '../service.js';

const practice = uniqueName('prc');
const GROUP = uniqueName('grp_billing');
const OTHER_GROUP = uniqueName('grp_lab');
const ADMIN = 'mbr_admin';
const USER = 'mbr_user';
const MANAGER = 'mbr_manager';
const OUTSIDER = 'mbr_outsider';
const SOURCE = { source: '/services/routing-assignment' };

const bed = new ServiceTestBed(
  { appModule: (c) => AppModule.forConfig(c), loadConfig, description: SERVICE },
  'inbox-progress-it',
);
let app: INestApplication;
const bearer = async (sub: string, actor: ActorKind = 'member', scope?: string[]) =>
  `Bearer ${await mintToken(TEST_JWT_SECRET, { sub, practiceId: practice, actor }, { scope })}`;
const get = async (path: string, sub: string, actor: ActorKind = 'member') =>
  request(app.getHttpServer())
    .get(path)
    .set('authorization', await bearer(sub, actor));

const at = (time: string) => `2026-11-02T${time}:00.000Z`;
const MIN = 60_000;
const period = `from=${encodeURIComponent(at('00:00'))}&to=${encodeURIComponent('2026-11-03T00:00:00Z')}`;
const groupReport = `/reports/groups/${GROUP}/progress?${period}`;

type Fact = ThreadFactV1;

/** A thread's facts as routing publishes them: each with the thread's state after it. */
function history(groupId: string, steps: [string, string, Partial<Fact>?][]): Fact[] {
  const threadId = uniqueName('thr');
  const openedAt = steps[0]![1];
  let state = { status: 'not-replied', trashed: false, assigneeMemberId: null as string | null };
  return steps.map(([fact, occurredAt, fields = {}], index) => {
    if (fact === 'replied') state = { ...state, status: 'replied' };
    if (fact === 'patient-followed-up') state = { ...state, status: 'not-replied' };
    if (fact === 'assigned') state = { ...state, assigneeMemberId: fields.assigneeMemberId! };
    return {
      practiceId: practice,
      threadId,
      sequence: index + 1,
      fact,
      occurredAt,
      openedAt,
      groupId,
      routing: 'specific-members',
      facilityId: null,
      categoryIds: [],
      channel: 'phr-web',
      patientKey: 'a'.repeat(32),
      patientKeyId: 'k1',
      ...state,
      previousAssigneeMemberId: null,
      actor: fact === 'opened' || fact === 'patient-followed-up' ? 'patient' : 'member',
      actorMemberId: null,
      reason: null,
      sinceOpenedMs: Date.parse(occurredAt) - Date.parse(openedAt),
      timeToFirstReplyMs: null,
      timeToFirstAssignmentMs: null,
      responseMs: null,
      responseTargetSeconds: null,
      withinTarget: null,
      ...fields,
    };
  });
}

/** Billing: two answered (one reassigned, one late), one assigned and waiting; and a Lab thread. */
const threads = [
  history(GROUP, [
    ['opened', at('09:00')],
    ['assigned', at('09:10'), { assigneeMemberId: USER, actorMemberId: ADMIN }],
    [
      'replied',
      at('09:30'),
      { actorMemberId: USER, timeToFirstReplyMs: 30 * MIN, withinTarget: true },
    ],
    ['patient-followed-up', at('10:00')],
    [
      'assigned',
      at('10:05'),
      { assigneeMemberId: ADMIN, previousAssigneeMemberId: USER, actorMemberId: ADMIN },
    ],
    ['replied', at('11:00'), { actorMemberId: ADMIN, withinTarget: false }],
  ]),
  history(GROUP, [
    ['opened', at('09:20')],
    [
      'replied',
      at('10:20'),
      { actorMemberId: ADMIN, timeToFirstReplyMs: 60 * MIN, withinTarget: true },
    ],
  ]),
  history(GROUP, [
    ['opened', at('12:00')],
    ['assigned', at('12:10'), { assigneeMemberId: USER, actorMemberId: ADMIN }],
  ]),
  history(OTHER_GROUP, [['opened', at('13:00')]]),
];

/** Publishes a fact as routing's outbox would; the same `id` again is a redelivery. */
async function publish(fact: Fact, id = randomUUID()) {
  const envelope = buildEnvelope(ThreadFactV1, fact, {
    id,
    ...SOURCE,
    time: fact.occurredAt,
    practiceId: practice,
    correlationId: randomUUID(),
  });
  await bed.producer.send({
    topic: TOPICS.analyticsThreads.name,
    acks: -1,
    messages: [toWireRecord(envelope)],
  });
}

/** The report once every fact is in: all `received` patient messages counted and the replies folded. */
const reportOf = (path: string, received: number, who = ADMIN) =>
  waitFor(
    async () => (await get(path, who)).body,
    (body) => body.messagesReceived === received && body.replies === 3,
    { description: `the report ${path}`, timeoutMs: 90_000 },
  );

beforeAll(async () => {
  app = await bed.start();
  await bed.connect();
  const feed = bed.directory(practice);
  await feed.practice({ name: 'Riverside Family Practice', plan: 'paid' });
  await feed.role({
    roleId: 'role_manager',
    name: 'Practice Manager',
    privileges: [PRIVILEGES.messageGroupsSettings],
  });
  for (const [memberId, roleId] of [
    [ADMIN, null],
    [USER, null],
    [MANAGER, 'role_manager'],
    [OUTSIDER, null],
  ] as const) {
    await feed.member({ memberId, displayName: `Staff ${memberId}`, roleId, active: true });
  }
  await bed.settings(practice).group({
    groupId: GROUP,
    name: 'Billing Team',
    recipientMode: 'specific-members',
    members: [
      { memberId: ADMIN, privilege: 'admin' },
      { memberId: USER, privilege: 'user' },
    ],
  });
  // Out of order, and the first thread's reply delivered twice.
  const [a, b, c, d] = threads;
  const again = randomUUID();
  for (const fact of [...b!, ...a!.slice(3)]) await publish(fact);
  await publish(a![2]!, again);
  await publish(a![2]!, again);
  for (const fact of [...a!.slice(0, 2), ...c!, ...d!]) await publish(fact);
}, 120_000);

afterAll(() => bed.stop());

describe('progress reports', () => {
  it("give the group's Admin the figures worked out by hand", async () => {
    const report = await reportOf(groupReport, 4);
    expect(report).toMatchObject({
      practiceId: practice,
      scope: { kind: 'group', groupId: GROUP },
      period: { from: at('00:00'), to: '2026-11-03T00:00:00.000Z' },
      // Three first messages and a follow-up; three replies; one reassignment.
      messagesReceived: 4,
      threadsOpened: 3,
      replies: 3,
      firstResponse: { threads: 2, p50Ms: 30 * MIN, p90Ms: 60 * MIN },
      withinTarget: { replies: 3, met: 2, share: 2 / 3 },
      reassignments: 1,
      backlog: { notReplied: 1, replied: 2, trash: 0, unassigned: 0 },
      assignees: [
        { memberId: ADMIN, assigned: 1, replies: 2, openNow: 0 },
        { memberId: USER, assigned: 2, replies: 1, openNow: 1 },
      ],
    });
    expect(report.groups).toBeUndefined();
  });

  it('give the same figures as CSV, by format or by Accept', async () => {
    const csv = await get(`${groupReport}&format=csv`, ADMIN);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const rows = csv.text.trim().split('\r\n');
    expect(rows[0]).toBe('section,group_id,member_id,metric,value');
    expect(rows).toContain(`activity,${GROUP},,messages_received,4`);
    expect(rows).toContain(`activity,${GROUP},,first_response_p90_ms,${60 * MIN}`);
    expect(rows).toContain(`assignee,${GROUP},${USER},open_now,1`);
    const accepted = await request(app.getHttpServer())
      .get(groupReport)
      .set('authorization', await bearer(ADMIN))
      .set('accept', 'text/csv');
    expect(accepted.headers['content-type']).toMatch(/^text\/csv/);
    expect(accepted.text.split('\r\n')[0]).toBe(rows[0]);
  });

  it('give Practice Access holders every group, with the figures per group', async () => {
    const report = await reportOf(`/reports/practice/progress?${period}`, 5, MANAGER);
    expect(report.messagesReceived).toBe(5);
    // Ordered by group id: grp_billing… before grp_lab….
    expect(report.groups).toEqual([
      expect.objectContaining({ groupId: GROUP, messagesReceived: 4, notRepliedNow: 1 }),
      expect.objectContaining({ groupId: OTHER_GROUP, messagesReceived: 1, notRepliedNow: 1 }),
    ]);
    expect((await get(groupReport, MANAGER)).status).toBe(200);
  });

  it("refuse everyone else: the group's Users, other members, patients, and Admins practice-wide", async () => {
    for (const who of [USER, OUTSIDER]) {
      const refused = await get(groupReport, who);
      expect(`${who} ${refused.status} ${refused.body.code}`).toBe(
        `${who} 403 group-report-not-allowed`,
      );
    }
    const practiceWide = await get(`/reports/practice/progress?${period}`, ADMIN);
    expect(practiceWide.body.code).toBe('practice-report-not-allowed');
    expect((await get(groupReport, 'pat_ruth', 'patient')).status).toBe(403);
  });

  it('refuse a period that is not one as invalid-period', async () => {
    for (const query of ['from=yesterday', 'from=2026-11-03T00:00:00Z&to=2026-11-02T00:00:00Z']) {
      const refused = await get(`/reports/groups/${GROUP}/progress?${query}`, ADMIN);
      expect(`${refused.status} ${refused.body.code}`).toBe('422 invalid-period');
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });

  it('record each read in the access audit, figures only', async () => {
    const audit = await bed.observe(TOPICS.accessAudit.name, practice);
    try {
      await get(groupReport, ADMIN);
      const [record] = await waitFor(
        async () =>
          audit.events
            .map((e) => e.data as AccessRecordedV2)
            .filter((r) => r.action === 'progress.read' && r.actor.id === ADMIN),
        (records) => records.length > 0,
        { description: 'the report read in the audit', timeoutMs: 30_000 },
      );
      expect(record).toMatchObject({
        threadId: null,
        threadIds: [],
        listing: { view: 'group-progress', groupId: GROUP, filter: null, searched: false },
      });
    } finally {
      await audit.stop();
    }
  });

  it('give the same report after a rebuild of the read model', async () => {
    const before = await reportOf(groupReport, 4);
    const started = await request(app.getHttpServer())
      .post('/admin/rebuild')
      .set('authorization', await bearer('svc_ops', 'system', ['gm:operator']));
    expect(started.status).toBe(202);
    expect((await app.get(InboxRebuild).settled()).state).toBe('done');
    const after = await reportOf(groupReport, 4);
    const withoutClock = (report: { backlog: object }) => ({
      ...report,
      backlog: { ...report.backlog, asOf: null },
    });
    expect(withoutClock(after)).toEqual(withoutClock(before));
  }, 300_000);
});
