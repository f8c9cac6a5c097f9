/**
 * Internal notes in the read model, against the real servers: NoteAdded on
 * gm.thread-notes, published as routing-assignment would, shows in the
 * member thread view (once, however often delivered; in `addedAt` order;
 * also when it arrives before the thread's own events) and its timeline,
 * never in anything the patient reads; a read with the note's consistency
 * token waits for it.
 */
import { mintToken, type ActorKind } from '@gm/auth';
import {
  buildEnvelope,
  MessageRoutedV1,
  MessageSentV1,
  NoteAddedV1,
  ReplySentV1,
  ThreadAudienceChangedV2,
  TOPIC_CODES,
  TOPICS,
  toWireRecord,
  type EventEnvelope,
} from '@gm/contracts';
import { encodeConsistencyToken } from '@gm/messaging';
import { INFRASTRUCTURE_CONFIG, type InfrastructureConfig } from '@gm/service-kit';
import { ServiceTestBed, TEST_JWT_SECRET, uniqueName, waitFor } from '@gm/testing';
import type { INestApplication } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { AppModule } from '../app.module.js';
import { loadConfig } from '../config.js';
import { SERVICE } from '../service.js';

const practice = uniqueName('prc');
const ADMIN = 'mbr_admin';
const ASSIGNEE = 'mbr_user_a';
const OTHER = 'mbr_user_b';
const PATIENT = 'pat_ruth';
const GROUP = uniqueName('grp_billing');
const SOURCE = { source: '/services/routing-assignment' };

const bed = new ServiceTestBed(
  { appModule: (c) => AppModule.forConfig(c), loadConfig, description: SERVICE },
  'inbox-notes-it',
);
let app: INestApplication;
const bearer = async (sub: string, actor: ActorKind = 'member') =>
  `Bearer ${await mintToken(TEST_JWT_SECRET, { sub, practiceId: practice, actor })}`;
const get = async (path: string, sub: string, actor: ActorKind = 'member') =>
  request(app.getHttpServer())
    .get(path)
    .set('authorization', await bearer(sub, actor));

let clock = Date.parse('2026-12-01T08:00:00.000Z');
const tick = () => new Date((clock += 60_000)).toISOString();

/** A routed Billing thread with one reply, assigned to ASSIGNEE: seen by the Admin and the assignee. */
async function thread(threadId = uniqueName('thr')): Promise<string> {
  const fact = (threadVersion: number) => ({
    practiceId: practice,
    threadId,
    groupId: GROUP,
    threadVersion,
    occurredAt: tick(),
  });
  await bed.publish(
    MessageSentV1,
    {
      practiceId: practice,
      threadId,
      messageId: uniqueName('msg'),
      patientId: PATIENT,
      recipientKind: 'group',
      groupId: GROUP,
      memberId: null,
      subject: 'About my bill',
      body: 'FAKE PATIENT MESSAGE',
      followUp: false,
      threadVersion: 1,
      sentAt: tick(),
    },
    SOURCE,
  );
  await bed.publish(
    MessageRoutedV1,
    { ...fact(1), patientId: PATIENT, routing: 'specific-members', memberId: null },
    SOURCE,
  );
  await bed.publish(
    ReplySentV1,
    {
      ...fact(2),
      replyId: uniqueName('rpl'),
      senderDisplayName: 'Billing Team',
      repliedByMemberId: ADMIN,
      body: 'FAKE REPLY',
    },
    SOURCE,
  );
  await bed.publish(
    ThreadAudienceChangedV2,
    {
      practiceId: practice,
      threadId,
      groupId: GROUP,
      patientId: PATIENT,
      audienceVersion: 1,
      members: [
        { memberId: ADMIN, reason: 'admin' },
        { memberId: ASSIGNEE, reason: 'assignee' },
      ],
      occurredAt: tick(),
    },
    SOURCE,
  );
  return threadId;
}

type Note = NoteAddedV1;
const noteOf = (threadId: string, body: string, authorMemberId = ADMIN): Note => ({
  noteId: uniqueName('nte'),
  practiceId: practice,
  threadId,
  authorMemberId,
  body,
  addedAt: tick(),
});

/** Publishes a NoteAdded as routing's outbox would: `id` again is a redelivery, `writeId` a request's. */
async function publishNote(note: Note, id = randomUUID(), writeId?: string) {
  const envelope = buildEnvelope(NoteAddedV1, note, {
    id,
    ...SOURCE,
    time: note.addedAt,
    practiceId: practice,
    correlationId: randomUUID(),
  });
  await bed.producer.send({
    topic: TOPICS.threadNotes.name,
    acks: -1,
    messages: [toWireRecord({ ...envelope, ...(writeId ? { writeId } : {}) } as EventEnvelope)],
  });
}

const memberView = (threadId: string, who: string) => get(`/inbox/threads/${threadId}`, who);
const notesSeen = (threadId: string, who: string, count: number) =>
  waitFor(
    async () => (await memberView(threadId, who)).body,
    (body) => (body.notes?.length ?? 0) >= count,
    { description: `${count} notes of ${threadId} for ${who}`, timeoutMs: 90_000 },
  );
const publicNote = ({ noteId, authorMemberId, body, addedAt }: Note) => ({
  noteId,
  authorMemberId,
  body,
  addedAt,
});

beforeAll(async () => {
  app = await bed.start();
  await bed.connect();
  const feed = bed.directory(practice);
  await feed.practice({ name: 'Riverside Family Practice', plan: 'paid' });
  for (const [memberId, displayName] of [
    [ADMIN, 'Alice Admin'],
    [ASSIGNEE, 'Umberto User'],
    [OTHER, 'Ursula User'],
  ]) {
    await feed.member({
      memberId: memberId!,
      displayName: displayName!,
      roleId: null,
      active: true,
    });
  }
  await feed.patient({
    patientId: PATIENT,
    displayName: 'Ruth Patient',
    facilityId: null,
    categoryIds: [],
    careTeamMemberIds: [],
    active: true,
  });
  await bed.settings(practice).group({
    groupId: GROUP,
    name: 'Billing Team',
    recipientMode: 'specific-members',
    members: [
      { memberId: ADMIN, privilege: 'admin' },
      { memberId: ASSIGNEE, privilege: 'user' },
      { memberId: OTHER, privilege: 'user' },
    ],
  });
}, 120_000);

afterAll(() => bed.stop());

describe('internal notes in the inbox', () => {
  it('show in the member thread view of its audience, once each, oldest first', async () => {
    const threadId = await thread();
    const first = noteOf(threadId, 'FAKE NOTE one: insurer called back');
    const second = noteOf(threadId, 'FAKE NOTE two: claim resent', ASSIGNEE);
    // Out of order, and the first delivered twice (the outbox publishes at least once).
    const redelivered = randomUUID();
    await publishNote(second);
    await publishNote(first, redelivered);
    await publishNote(first, redelivered);
    await publishNote({ ...first }); // the same note under another event id changes nothing either
    for (const who of [ADMIN, ASSIGNEE]) {
      const view = await notesSeen(threadId, who, 2);
      expect(view.notes).toEqual([publicNote(first), publicNote(second)]);
    }
    // Give a late duplicate time to land: still two.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await memberView(threadId, ADMIN)).body.notes).toHaveLength(2);
    expect((await memberView(threadId, OTHER)).status).toBe(404);
  });

  it('show on the timeline with the author named, never the text', async () => {
    const threadId = await thread();
    const note = noteOf(threadId, 'FAKE NOTE for the timeline', ASSIGNEE);
    await publishNote(note);
    const view = await notesSeen(threadId, ADMIN, 1);
    const steps = view.timeline.entries.filter((e: { kind: string }) => e.kind === 'note-added');
    expect(steps).toEqual([
      {
        kind: 'note-added',
        at: note.addedAt,
        actorKind: 'member',
        actorId: ASSIGNEE,
        details: { noteId: note.noteId },
      },
    ]);
    expect(view.timeline.memberNames[ASSIGNEE]).toBe('Umberto User');
    expect(JSON.stringify(view.timeline)).not.toContain('FAKE NOTE');
    // The assignee sees the notes, not the timeline (Admins and the addressee do).
    const assignee = await notesSeen(threadId, ASSIGNEE, 1);
    expect(assignee.timeline).toBeNull();
  });

  it('are kept when they arrive before the thread, and shown once it is known', async () => {
    const threadId = uniqueName('thr');
    const early = noteOf(threadId, 'FAKE NOTE before the thread');
    await publishNote(early);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // Nobody may open a thread the read model has no message, routing nor audience of.
    expect((await memberView(threadId, ADMIN)).status).toBe(404);
    await thread(threadId);
    const view = await notesSeen(threadId, ADMIN, 1);
    expect(view.notes).toEqual([publicNote(early)]);
  });

  it('change nothing the patient reads: the thread, the mailbox', async () => {
    const threadId = await thread();
    const patientThread = async () => {
      const response = await get(`/mailbox/threads/${threadId}`, PATIENT, 'patient');
      expect(response.status).toBe(200);
      return response.body;
    };
    const mailbox = async () =>
      Promise.all(
        ['inbox', 'sent', 'unread'].map(
          async (box) => (await get(`/mailbox?box=${box}`, PATIENT, 'patient')).body,
        ),
      );
    await waitFor(patientThread, (body) => body.replies?.length === 1, {
      description: 'the reply for the patient',
    });
    const [threadBefore, mailboxBefore] = [await patientThread(), await mailbox()];
    const note = noteOf(threadId, 'FAKE NOTE the patient must never see');
    await publishNote(note);
    await notesSeen(threadId, ADMIN, 1);
    const [threadAfter, mailboxAfter] = [await patientThread(), await mailbox()];
    expect(threadAfter).toEqual(threadBefore);
    expect(mailboxAfter).toEqual(mailboxBefore);
    expect(JSON.stringify([threadAfter, mailboxAfter])).not.toMatch(/FAKE NOTE|nte_|note/i);
  });

  it("honour the write's consistency token: the read waits for the note", async () => {
    const threadId = await thread();
    await waitFor(
      async () => (await memberView(threadId, ADMIN)).status,
      (status) => status === 200,
      { description: `${threadId} open for the Admin`, timeoutMs: 90_000 },
    );
    const { consistency } = app.get<InfrastructureConfig>(INFRASTRUCTURE_CONFIG);
    const writeId = randomBytes(16).toString('base64url');
    // What routing answers for a note: one event on gm.thread-notes, one access record.
    const token = encodeConsistencyToken(consistency.secret, practice, {
      writeId,
      issuedAt: Date.now(),
      counts: new Map([
        [TOPIC_CODES[TOPICS.threadNotes.name]!, 1],
        [TOPIC_CODES[TOPICS.accessAudit.name]!, 1],
      ]),
    });
    const note = noteOf(threadId, 'FAKE NOTE read with its token');
    const read = request(app.getHttpServer())
      .get(`/inbox/threads/${threadId}`)
      .set('authorization', await bearer(ADMIN))
      .set('consistency-token', token)
      .then((response) => response); // sent now, awaited below
    // The note is published only after the read began waiting.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await publishNote(note, randomUUID(), writeId);
    const response = await read;
    expect(response.status).toBe(200);
    expect(response.body.notes).toEqual([publicNote(note)]);
  });
});
