/**
 * Internal notes on the practice side of a thread, against the real servers:
 * the thread's audience adds them (Admins, the assignee; in Trash too),
 * anyone else gets 404, a bad body 422; each note is one NoteAdded on the
 * staff-only gm.thread-notes and one AccessRecorded (ids only), nothing on
 * the thread topics a patient's views are built from; the timeline shows
 * the step, never the text.
 */
import { mintToken } from '@gm/auth';
import {
  AccessRecordedV1,
  buildEnvelope,
  MessageGroupCreatedV1,
  MessageRestoredV2,
  MessageSentV1,
  NoteAddedV1,
  schemaViolations,
  TOPICS,
  toWireRecord,
  type EventDefinition,
  type EventEnvelope,
} from '@gm/contracts';
import { createKafka, silentLogger } from '@gm/messaging';
import {
  DirectoryFeed,
  EventsOnTopic,
  startServiceForTest,
  TEST_JWT_SECRET,
  testEnvironment,
  testInfrastructure,
  uniqueName,
  waitFor,
} from '@gm/testing';
import type { INestApplication } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { AppModule } from '../app.module.js';
import { loadConfig } from '../config.js';
import { SERVICE } from '../service.js';
import { ThreadsRepository } from './infrastructure/threads.repository.js';

const practice = uniqueName('prc');
const ADMIN = 'mbr_admin';
const USER = 'mbr_user';
const OTHER = 'mbr_other';
const GROUP = uniqueName('grp');
const NOTE_BY_ADMIN = 'FAKE NOTE by the Admin: insurer called back';
const NOTE_BY_ASSIGNEE = 'FAKE NOTE by the assignee: claim resent';
const NOTE_IN_TRASH = 'FAKE NOTE in Trash: duplicate thread';

let kafka: Kafka;
let producer: Producer;
let app: INestApplication;
let notes: EventsOnTopic;
let threadEvents: EventsOnTopic;
let patientMessages: EventsOnTopic;
let audit: EventsOnTopic;

const bearer = async (sub: string, actor: 'member' | 'patient' = 'member') =>
  `Bearer ${await mintToken(TEST_JWT_SECRET, { sub, practiceId: practice, actor })}`;

async function publish<T>(definition: EventDefinition<T>, data: T) {
  const envelope = buildEnvelope(definition, data, {
    id: randomUUID(),
    source: '/tests/notes',
    time: new Date().toISOString(),
    practiceId: practice,
    correlationId: randomUUID(),
  });
  await producer.send({
    topic: definition.topic.name,
    acks: -1,
    messages: [toWireRecord(envelope as EventEnvelope)],
  });
}

/** A patient's first message to the group, once the service has routed it. */
async function routedThread(): Promise<string> {
  const threadId = uniqueName('thr');
  await publish(MessageSentV1, {
    practiceId: practice,
    threadId,
    messageId: uniqueName('msg'),
    patientId: 'pat_ruth',
    recipientKind: 'group',
    groupId: GROUP,
    memberId: null,
    subject: 'Statement question',
    body: 'FAKE PATIENT MESSAGE',
    followUp: false,
    threadVersion: 1,
    sentAt: new Date().toISOString(),
  });
  await waitFor(
    () => app.get(ThreadsRepository).find(practice, threadId),
    (stored) => stored?.state.routing === 'specific-members',
    // The first one waits for a fresh consumer group to read every topic from the start.
    { timeoutMs: 180000, description: `${threadId} routed` },
  );
  return threadId;
}

const post = async (threadId: string, path: string, caller: string, body: object = {}) =>
  request(app.getHttpServer())
    .post(`/threads/${threadId}/${path}`)
    .set('authorization', await bearer(caller))
    .set('user-agent', 'GroupMessages-Web/2.3')
    .send(body);

const observed = (on: EventsOnTopic, type: string, threadId: string, count: number) =>
  waitFor(
    async () => on.ofType(type, threadId),
    (found) => found.length >= count,
    { timeoutMs: 30000, description: `${count} × ${type} of ${threadId}` },
  );

beforeAll(async () => {
  kafka = createKafka(
    { brokers: testInfrastructure().kafkaBrokers, clientId: 'routing-notes-it' },
    silentLogger,
  );
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const feed = new DirectoryFeed(producer, practice);
  await feed.practice({ name: 'Riverside', plan: 'paid' });
  await feed.member({ memberId: ADMIN, displayName: 'Alice Admin', roleId: null, active: true });
  await feed.member({ memberId: USER, displayName: 'Umberto User', roleId: null, active: true });
  await feed.member({ memberId: OTHER, displayName: 'Olga Other', roleId: null, active: true });
  await publish(MessageGroupCreatedV1, {
    practiceId: practice,
    groupId: GROUP,
    name: 'Billing Team',
    description: '',
    facilityId: null,
    patientCategoryId: null,
    recipientMode: 'specific-members',
    members: [
      { memberId: ADMIN, privilege: 'admin' },
      { memberId: USER, privilege: 'user' },
      { memberId: OTHER, privilege: 'user' },
    ],
    version: 1,
    changedAt: new Date().toISOString(),
  });
  app = await startServiceForTest(
    (c) => AppModule.forConfig(c),
    loadConfig(testEnvironment()),
    SERVICE,
  );
  [notes, threadEvents, patientMessages, audit] = await Promise.all(
    [TOPICS.threadNotes, TOPICS.threads, TOPICS.patientMessages, TOPICS.accessAudit].map((t) =>
      new EventsOnTopic(kafka, t.name, practice).start(),
    ),
  );
}, 180000);

afterAll(async () => {
  await Promise.all([notes, threadEvents, patientMessages, audit].map((o) => o?.stop()));
  await app?.close();
  await producer?.disconnect();
});

describe('internal notes', () => {
  let threadId: string;
  const noteIds: string[] = [];

  beforeAll(async () => {
    threadId = await routedThread();
    expect((await post(threadId, 'assignment', ADMIN, { assigneeMemberId: USER })).status).toBe(
      200,
    );
  }, 200000);

  it('are added by an Admin and by the assignee: 201 with the note id, and a token', async () => {
    for (const [caller, body] of [
      [ADMIN, NOTE_BY_ADMIN],
      [USER, NOTE_BY_ASSIGNEE],
    ] as const) {
      const response = await post(threadId, 'notes', caller, { body });
      expect(response.status).toBe(201);
      expect(response.body).toEqual({
        threadId,
        noteId: expect.stringMatching(/^nte_/),
        addedAt: expect.any(String),
      });
      // The token counts the note (n) and its access record (a): what a reader waits for.
      const counts = String(response.headers['consistency-token']).split('.')[3];
      expect(counts).toMatch(/n1/);
      expect(counts).toMatch(/a1/);
      noteIds.push(response.body.noteId);
    }
  });

  it('are not found for a member of the group outside the audience, nor for a stranger', async () => {
    for (const caller of [OTHER, 'mbr_stranger']) {
      const response = await post(threadId, 'notes', caller, { body: 'FAKE NOTE refused' });
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('thread-not-found');
    }
    const missing = await post(uniqueName('thr'), 'notes', ADMIN, { body: 'FAKE NOTE' });
    expect(missing.body.code).toBe('thread-not-found');
  });

  it('are refused to patients (403 actor-not-allowed)', async () => {
    const response = await request(app.getHttpServer())
      .post(`/threads/${threadId}/notes`)
      .set('authorization', await bearer('pat_ruth', 'patient'))
      .send({ body: 'FAKE NOTE by a patient' });
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('actor-not-allowed');
  });

  it.each([
    ['no text', { body: '' }, 'invalid-note'],
    ['white space only', { body: '   ' }, 'invalid-note'],
    ['a control character', { body: 'bell\u0007' }, 'invalid-note'],
    ['20,001 characters', { body: 'x'.repeat(20001) }, 'note-too-long'],
    ['no body', {}, 'validation-failed'],
    ['an author of its own', { body: 'ok', authorMemberId: OTHER }, 'validation-failed'],
  ])('refuses %s with 422', async (_, body, code) => {
    const response = await post(threadId, 'notes', ADMIN, body);
    expect(response.status).toBe(422);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body.code).toBe(code);
  });

  it('publish NoteAdded on gm.thread-notes, valid against its schema', async () => {
    const events = await observed(notes, NoteAddedV1.type, threadId, 2);
    expect(events.map((e) => e.data)).toEqual([
      {
        noteId: noteIds[0],
        practiceId: practice,
        threadId,
        authorMemberId: ADMIN,
        body: NOTE_BY_ADMIN,
        addedAt: expect.any(String),
      },
      expect.objectContaining({ noteId: noteIds[1], authorMemberId: USER, body: NOTE_BY_ASSIGNEE }),
    ]);
    const definition = NoteAddedV1 as EventDefinition<unknown>;
    for (const event of events) expect(schemaViolations(definition, event.data)).toEqual([]);
    expect(notes.invalid).toEqual([]);
  });

  it('publish one access record each (thread.note-added), ids only', async () => {
    const records = await waitFor(
      async () =>
        // Whichever version of AccessRecorded the trail is written in: the fields read here are in both.
        audit.events
          .map((e) => e.data as Pick<AccessRecordedV1, 'threadId' | 'action' | 'actor'>)
          .filter((r) => r.threadId === threadId && r.action === 'thread.note-added'),
      (found) => found.length >= 2,
      { timeoutMs: 30000, description: 'two thread.note-added records' },
    );
    expect(records.map((r) => r.actor).sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      { kind: 'member', id: ADMIN },
      { kind: 'member', id: USER },
    ]);
    expect(JSON.stringify(records)).not.toMatch(/FAKE NOTE/);
  });

  it('are allowed in Trash, which they do not leave', async () => {
    expect((await post(threadId, 'trash', ADMIN)).status).toBe(200);
    const response = await post(threadId, 'notes', ADMIN, { body: NOTE_IN_TRASH });
    expect(response.status).toBe(201);
    noteIds.push(response.body.noteId);
    const stored = await app.get(ThreadsRepository).find(practice, threadId);
    expect(stored!.state.trashed).toBe(true);
    // Restored last: its event follows every other of the thread on gm.threads.
    expect((await post(threadId, 'restore', ADMIN)).status).toBe(200);
  });

  it('leave nothing on the topics the patient-facing views are built from', async () => {
    await observed(threadEvents, MessageRestoredV2.type, threadId, 1);
    await observed(notes, NoteAddedV1.type, threadId, 3);
    const patientSide = JSON.stringify([...threadEvents.events, ...patientMessages.events]);
    for (const leak of [/FAKE NOTE/, /nte_/, /note-added/]) expect(patientSide).not.toMatch(leak);
    expect(notes.events.every((e) => e.type === NoteAddedV1.type)).toBe(true);
  });

  it("show on the timeline as steps with author, time and id, never the text; the version doesn't move", async () => {
    const response = await request(app.getHttpServer())
      .get(`/threads/${threadId}/timeline`)
      .set('authorization', await bearer(ADMIN))
      .expect(200);
    const steps = response.body.entries.filter((e: { kind: string }) => e.kind === 'note-added');
    expect(steps).toEqual(
      [ADMIN, USER, ADMIN].map((id, i) => ({
        kind: 'note-added',
        at: expect.any(String),
        actor: { kind: 'member', id, displayName: id === ADMIN ? 'Alice Admin' : 'Umberto User' },
        details: { noteId: noteIds[i] },
      })),
    );
    expect(JSON.stringify(response.body)).not.toMatch(/FAKE NOTE/);
    // Routed, assigned, trashed, restored: the notes count no version.
    expect(response.body.version).toBe(4);
  });
});
