/**
 * PHI never reaches the services' logs. The services log at info to
 * `.local/system-tests/<runid>/<svc>.log`; this suite drives PHI through every
 * path it can take (a message, a follow-up, a reply, refused and failing
 * requests, a poisoned event that gets dead-lettered), each carrying a unique
 * marker in subject and body (and a patient name), waits until every service
 * has handled it, then searches every log for the markers. It also searches
 * for the markers every other suite of the run used (they share a prefix),
 * for the bearer tokens and for the JWT secret.
 */
import { TOPICS } from '@gm/contracts';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { call, describeAnswer } from './harness/http.js';
import { kafkaOf, produce, readDeadLetters } from './harness/kafka.js';
import {
  PHI_PREFIX,
  phiText,
  routed,
  summarize,
  world,
  patientSends,
  type Timeline,
} from './harness/world.js';

const w = world();
const M = w.run.practices.main;

function logFiles(): string[] {
  return readdirSync(w.run.runDir)
    .filter((name) => name.endsWith('.log') && name !== 'build.log')
    .map((name) => path.join(w.run.runDir, name));
}

/** Lines of the service logs that contain `needle` (file name and the line's start). */
function hits(needle: string): string[] {
  return logFiles().flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.includes(needle))
      .map((line) => `${path.basename(file)}: ${line.slice(0, 160)}`),
  );
}

describe('PHI in the service logs', () => {
  const markers: string[] = [];
  const tokens: string[] = [];
  const started = Date.now();
  const mark = (what: string) => {
    const marker = phiText(`logs-${what}`);
    markers.push(marker);
    return marker;
  };

  afterAll(() => {
    const lines = logFiles().reduce(
      (sum, file) => sum + readFileSync(file, 'utf8').split('\n').length,
      0,
    );
    summarize(
      w,
      `PHI in logs: ${markers.length} markers of this suite and the prefix ${PHI_PREFIX} of every ` +
        `suite searched in ${logFiles().length} logs (${lines} lines): ` +
        `${hits(PHI_PREFIX).length} hits (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
  });

  it('PHI goes through sending, follow-up, reply, refusals, server errors and a dead letter', async () => {
    const patient = await w.tokens.patient(M.practiceId, M.patients.otherPatient.id);
    const admin = await w.tokens.member(M.practiceId, M.members.groupAdmin.id);
    tokens.push(patient, admin);

    // A message, a reply and a follow-up, all the way through routing.
    const sent = await patientSends(
      w,
      M.practiceId,
      M.patients.otherPatient.id,
      {
        kind: 'group',
        groupId: M.groupIds.billing,
      },
      { subject: mark('subject'), body: mark('body') },
    );
    await routed(w, M.practiceId, M.members.groupAdmin.id, sent.threadId);
    const reply = await call(
      'POST',
      `${w.urls['routing-assignment']}/threads/${sent.threadId}/replies`,
      { token: admin, body: { body: mark('reply') } },
    );
    expect(describeAnswer(reply)).toBe('202');
    const note = await call(
      'POST',
      `${w.urls['routing-assignment']}/threads/${sent.threadId}/notes`,
      { token: admin, body: { body: mark('note') } },
    );
    expect(describeAnswer(note)).toBe('201');
    const followUp = await call(
      'POST',
      `${w.urls['messaging-intake']}/threads/${sent.threadId}/messages`,
      { token: patient, body: { body: mark('follow-up') } },
    );
    expect(describeAnswer(followUp)).toBe('202');

    // Refused: invalid text, malformed JSON, too large, invalid fields, unknown thread.
    const refusals = [
      call('POST', `${w.urls['messaging-intake']}/threads`, {
        token: patient,
        body: {
          recipient: { kind: 'group', groupId: M.groupIds.billing },
          subject: `${mark('bad-subject')}\nsecond line`,
          body: mark('bad-subject-body'),
        },
      }),
      call('POST', `${w.urls['messaging-intake']}/threads`, {
        token: patient,
        raw: `{"subject": "${mark('malformed')}", "body": `,
      }),
      call('POST', `${w.urls['messaging-intake']}/threads`, {
        token: patient,
        raw: JSON.stringify({ body: `${mark('oversize')}${'x'.repeat(300 * 1024)}` }),
      }),
      call('POST', `${w.urls['messaging-intake']}/threads`, {
        token: patient,
        body: { recipient: { kind: 'group', groupId: 7 }, subject: 1, body: mark('invalid') },
      }),
      call('POST', `${w.urls['messaging-intake']}/threads/thr_nothing/messages`, {
        token: patient,
        body: { body: mark('no-thread') },
      }),
      call('POST', `${w.urls['routing-assignment']}/threads/${sent.threadId}/replies`, {
        token: admin,
        body: { body: `${mark('bad-reply')}\u0007` },
      }),
      call('POST', `${w.urls['routing-assignment']}/threads/${sent.threadId}/notes`, {
        token: admin,
        body: { body: `${mark('bad-note')}\u0007` },
      }),
    ];
    for (const answer of await Promise.all(refusals)) {
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
    }

    // A request that fails inside a service (NUL cannot be stored on FerretDB: a 5xx today),
    // carrying a patient's name: the error log must not quote it.
    const failing = await call(
      'PUT',
      `${w.urls['practice-directory']}/directory/patients/pat_logcheck`,
      {
        token: await w.tokens.system(M.practiceId, M.systemId),
        body: {
          displayName: `${mark('patient-name')}\u0000`,
          facilityId: null,
          categoryIds: [],
          careTeamMemberIds: [],
        },
      },
    );
    expect(failing.status).toBeGreaterThanOrEqual(400);

    // A MessageSent that breaks its schema, with PHI in it: dead-lettered with a reason.
    const kafka = kafkaOf(w.run);
    const producer = kafka.producer();
    await producer.connect();
    const eventId = `phi-${randomUUID()}`;
    const threadId = `thr_phi_${randomUUID().slice(0, 8)}`;
    try {
      await produce(producer, TOPICS.patientMessages.name, [
        {
          key: threadId,
          value: JSON.stringify({
            practiceId: M.practiceId,
            threadId,
            messageId: 'msg_phi',
            patientId: M.patients.patient.id,
            recipientKind: 'group',
            groupId: M.groupIds.billing,
            memberId: null,
            subject: mark('poison-subject'),
            body: mark('poison-body'),
            followUp: false,
            threadVersion: 'one',
            sentAt: new Date().toISOString(),
          }),
          headers: {
            ce_id: eventId,
            ce_type: 'gm.message.sent.v1',
            ce_source: '/system-tests/phi',
            ce_time: new Date().toISOString(),
            ce_specversion: '1.0',
            ce_subject: threadId,
            ce_practiceid: M.practiceId,
            ce_correlationid: randomUUID(),
          },
        },
      ]);
    } finally {
      await producer.disconnect();
    }
    const group = w.run.services['routing-assignment'].consumerGroup;
    const letters = await readDeadLetters(kafka, [`gm.dead-letter.${group}`], (l) =>
      l.some((letter) => letter.headers.ce_id === eventId),
    );
    expect(letters.some((letter) => letter.headers.ce_id === eventId)).toBe(true);

    // Every service has handled it: routing shows the reply and the follow-up.
    await routed(w, M.practiceId, M.members.groupAdmin.id, sent.threadId, (t: Timeline) =>
      t.entries.some((e) => e.kind === 'follow-up'),
    );
    // Log lines are written asynchronously; give the read model a moment too.
    await new Promise((resolve) => setTimeout(resolve, 1500));
  }, 90_000);

  it("no marker of this suite is in any service's log", () => {
    expect(logFiles().length).toBeGreaterThanOrEqual(5);
    expect(markers.flatMap(hits)).toEqual([]);
  });

  it(`nothing carrying the ${PHI_PREFIX} prefix of the other suites is either`, () => {
    expect(hits(PHI_PREFIX)).toEqual([]);
  });

  it('neither bearer tokens nor the JWT secret are logged', () => {
    expect([...tokens, w.run.secret].flatMap(hits)).toEqual([]);
  });
});
