/**
 * The HIPAA access audit from the outside (ADR 0013): a patient writes, a
 * group Admin reads and changes the thread, the patient reads the answer,
 * and an auditor of the practice finds every step (who, what, when, from
 * where) in access-audit, and nothing of another practice, while members
 * without the audit privilege and patients are refused. Listings (with the
 * ids they showed) and refused reads (with their code) are found through
 * the filters.
 */
import { call, codeOf, describeAnswer, answered, isProblem, type Answer } from './harness/http.js';
import { patientSends, routed, summarize, world, type World } from './harness/world.js';

/** Seeded in both practices with the audit privilege (harness/fixtures.ts). */
const AUDITOR = 'mbr_auditor';
const USER_AGENT = 'SystemTests-Audit/1.0';

let w: World;
let auditUrl: string;

interface AccessRecord {
  recordId: string;
  actor: { kind: string; id: string };
  action: string;
  threadId: string | null;
  threadIds: string[];
  outcome: 'served' | 'refused';
  refusal: string | null;
  listing: {
    view: string;
    groupId: string | null;
    filter: string | null;
    searched: boolean;
  } | null;
  occurredAt: string;
  source: { ip: string | null; userAgent: string | null };
  correlationId: string;
  recordedBy: string;
}

/** The served accesses of the thread itself: the polls of the harness add refusals and listings. */
const servedReads = (trail: AccessRecord[]) =>
  trail.filter((r) => r.outcome === 'served' && r.listing === null);

/** Waits until the auditor's query finds at least one record. */
async function found(practiceId: string, query: string) {
  const answer = await answered(
    () => accessRecords(practiceId, AUDITOR, query),
    (a) => a.status === 200 && (a.json as { records: unknown[] }).records.length > 0,
    `records for ${query}`,
  );
  return (answer.json as { records: AccessRecord[] }).records;
}

const accessRecords = async (practiceId: string, memberId: string, query: string) =>
  call('GET', `${auditUrl}/access-records${query}`, {
    token: await w.tokens.member(practiceId, memberId),
  });

/** Waits until the auditor sees at least `count` served reads and changes of the thread; newest first. */
async function trailOf(practiceId: string, threadId: string, count: number) {
  const answer = await answered(
    () => accessRecords(practiceId, AUDITOR, `?threadId=${threadId}&outcome=served&limit=200`),
    (a) =>
      a.status === 200 &&
      servedReads((a.json as { records: AccessRecord[] }).records).length >= count,
    `${count} access records of ${threadId}`,
  );
  return servedReads((answer.json as { records: AccessRecord[] }).records);
}

beforeAll(async () => {
  w = world();
  auditUrl = w.urls['access-audit'];
  // access-audit learns the auditors' privilege from the directory topics.
  for (const { practiceId } of [w.run.practices.main, w.run.practices.other]) {
    await answered(
      () => accessRecords(practiceId, AUDITOR, ''),
      (a) => a.status === 200,
      `the audit privilege of ${AUDITOR} of ${practiceId} in access-audit`,
    );
  }
}, 120_000);

describe('access audit', () => {
  it('records every read and change of a thread, with who, when and from where', async () => {
    const { main } = w.run.practices;
    const practiceId = main.practiceId;
    const admin = main.members.groupAdmin!.id;
    const assignee = main.members.assignee!.id;
    const patient = main.patients.patient!.id;
    const sent = await patientSends(w, practiceId, patient, {
      kind: 'group',
      groupId: main.groupIds.billing!,
    });
    // No waiting on the timeline here: every successful read of it is a record.
    const asAdmin = { token: await w.tokens.member(practiceId, admin) };
    const headers = { 'user-agent': USER_AGENT };
    const steps: [string, string, Answer][] = [];
    const step = async (action: string, actorId: string, answer: Promise<Answer>) =>
      steps.push([action, actorId, await answer]);
    await step(
      'thread.read',
      admin,
      answered(
        () =>
          call('GET', `${w.urls['inbox-projection']}/inbox/threads/${sent.threadId}`, {
            ...asAdmin,
            headers,
          }),
        (a) => a.status === 200,
        'the thread in the admin inbox',
      ),
    );
    const threads = `${w.urls['routing-assignment']}/threads/${sent.threadId}`;
    await step(
      'thread.timeline.read',
      admin,
      call('GET', `${threads}/timeline`, { ...asAdmin, headers }),
    );
    await step(
      'thread.assigned',
      admin,
      call('POST', `${threads}/assignment`, {
        ...asAdmin,
        headers,
        body: { assigneeMemberId: assignee },
      }),
    );
    await step(
      'thread.replied',
      admin,
      call('POST', `${threads}/replies`, { ...asAdmin, headers, body: { body: 'We fixed it.' } }),
    );
    await step('thread.trashed', admin, call('POST', `${threads}/trash`, { ...asAdmin, headers }));
    await step(
      'thread.restored',
      admin,
      call('POST', `${threads}/restore`, { ...asAdmin, headers }),
    );
    await step(
      'thread.read',
      patient,
      answered(
        async () =>
          call('GET', `${w.urls['inbox-projection']}/mailbox/threads/${sent.threadId}`, {
            token: await w.tokens.patient(practiceId, patient),
            headers,
          }),
        (a) => a.status === 200 && (a.json as { replies: unknown[] }).replies.length === 1,
        'the reply in the patient mailbox',
      ),
    );
    expect(steps.map(([action, , answer]) => [action, describeAnswer(answer)])).toEqual(
      steps.map(([action, , answer]) => [
        action,
        answer.status < 300 ? describeAnswer(answer) : 'a 2xx',
      ]),
    );

    // The patient's send is the first record: creating PHI is audited too.
    const trail = await trailOf(practiceId, sent.threadId, steps.length + 1);
    const oldestFirst = [...trail].reverse();
    expect(oldestFirst.map((r) => [r.action, r.actor.id])).toEqual([
      ['thread.message-sent', patient],
      ...steps.map(([action, actorId]) => [action, actorId]),
    ]);
    for (const record of trail) {
      expect(record.threadId).toBe(sent.threadId);
      // The send came from the harness's client, the rest from this test's.
      if (record.action !== 'thread.message-sent') expect(record.source.userAgent).toBe(USER_AGENT);
      expect(record.source.ip).toEqual(expect.any(String));
      expect(Date.parse(record.occurredAt)).not.toBeNaN();
    }
    expect(trail.find((r) => r.actor.id === patient)?.actor.kind).toBe('patient');
    // Ids only: no subject, body or name of anyone.
    const text = JSON.stringify(trail);
    for (const phi of [sent.subject, sent.body, 'We fixed it.', main.surname]) {
      expect(text).not.toContain(phi);
    }
    summarize(w, `access-audit: ${trail.length} records of one thread's life, in order`);
  });

  it('filters by actor and action, newest first', async () => {
    const { main } = w.run.practices;
    const admin = main.members.groupAdmin!.id;
    const answer = await accessRecords(
      main.practiceId,
      AUDITOR,
      `?actorId=${admin}&action=thread.assigned&limit=5`,
    );
    expect(answer.status).toBe(200);
    const records = (answer.json as { records: AccessRecord[] }).records;
    expect(records.length).toBeGreaterThan(0);
    for (const record of records) {
      expect([record.actor.id, record.action]).toEqual([admin, 'thread.assigned']);
    }
    const times = records.map((r) => r.occurredAt);
    expect(times).toEqual([...times].sort().reverse());
  });

  it("never shows another practice's records, whatever the filters", async () => {
    const { main, other } = w.run.practices;
    const sent = await patientSends(w, other.practiceId, other.patients.patient!.id, {
      kind: 'group',
      groupId: other.groupIds.billing!,
    });
    const admin = other.members.groupAdmin!.id;
    // Polls the timeline until routed: its one successful read is recorded.
    await routed(w, other.practiceId, admin, sent.threadId);
    const trail = await trailOf(other.practiceId, sent.threadId, 2);
    expect(trail.map((r) => [r.action, r.actor.id])).toEqual([
      ['thread.timeline.read', admin],
      ['thread.message-sent', other.patients.patient!.id],
    ]);
    const fromMain = await accessRecords(main.practiceId, AUDITOR, `?threadId=${sent.threadId}`);
    expect(fromMain.status).toBe(200);
    expect((fromMain.json as { records: unknown[] }).records).toEqual([]);
  });

  it('records listings with the ids shown and refused reads with their code, found by the filters', async () => {
    const { main } = w.run.practices;
    const practiceId = main.practiceId;
    const admin = main.members.groupAdmin!.id;
    const outsider = main.members.nonMember!.id;
    const patient = main.patients.patient!.id;
    const billing = main.groupIds.billing!;
    const sent = await patientSends(w, practiceId, patient, { kind: 'group', groupId: billing });
    await routed(w, practiceId, admin, sent.threadId);
    const inbox = w.urls['inbox-projection'];
    const asAdmin = { token: await w.tokens.member(practiceId, admin) };
    const asOutsider = { token: await w.tokens.member(practiceId, outsider) };
    const asPatient = { token: await w.tokens.patient(practiceId, patient) };

    // Listings: the admin's group list (once the thread is in it), a search, the patient's Sent box.
    await answered(
      () => call('GET', `${inbox}/inbox/groups/${billing}/threads?limit=100`, asAdmin),
      (a) =>
        a.status === 200 &&
        (a.json as { threads: { threadId: string }[] }).threads.some(
          (t) => t.threadId === sent.threadId,
        ),
      'the thread in the group listing',
    );
    const search = sent.subject.slice(-10);
    const searched = await call(
      'GET',
      `${inbox}/inbox/groups/${billing}/threads?q=${encodeURIComponent(search)}`,
      asAdmin,
    );
    expect(searched.status).toBe(200);
    expect((await call('GET', `${inbox}/mailbox?box=sent`, asPatient)).status).toBe(200);
    // Refused: a member outside the thread's audience opens it and its timeline.
    const opened = await call('GET', `${inbox}/inbox/threads/${sent.threadId}`, asOutsider);
    expect(opened.status).toBe(404);
    const timeline = await call(
      'GET',
      `${w.urls['routing-assignment']}/threads/${sent.threadId}/timeline`,
      asOutsider,
    );
    expect([403, 404]).toContain(timeline.status);

    const listings = await found(
      practiceId,
      `?threadId=${sent.threadId}&action=threads.listed&actorId=${admin}`,
    );
    expect(listings[0]).toMatchObject({
      threadId: null,
      outcome: 'served',
      refusal: null,
      listing: { view: 'group-threads', groupId: billing, filter: 'all', searched: false },
    });
    expect(listings[0]!.threadIds).toContain(sent.threadId);
    const [search0] = await found(
      practiceId,
      `?threadId=${sent.threadId}&action=threads.searched&actorId=${admin}`,
    );
    expect(search0!.listing).toMatchObject({ view: 'group-threads', searched: true });
    const [mailbox] = await found(practiceId, `?threadId=${sent.threadId}&action=mailbox.listed`);
    expect(mailbox).toMatchObject({
      actor: { kind: 'patient', id: patient },
      listing: { view: 'mailbox', groupId: null, filter: 'sent', searched: false },
    });

    const refused = await answered(
      () =>
        accessRecords(
          practiceId,
          AUDITOR,
          `?threadId=${sent.threadId}&outcome=refused&actorId=${outsider}`,
        ),
      (a) => a.status === 200 && (a.json as { records: unknown[] }).records.length >= 2,
      "the outsider's two refused reads",
    );
    const refusals = (refused.json as { records: AccessRecord[] }).records;
    expect(refusals.map((r) => [r.action, r.outcome, r.refusal, r.threadIds]).sort()).toEqual(
      [
        ['thread.read', 'refused', 'thread-not-found', [sent.threadId]],
        ['thread.timeline.read', 'refused', codeOf(timeline), [sent.threadId]],
      ].sort(),
    );
    // Ids only: neither the subject nor the search text is in any of them.
    const text = JSON.stringify([...listings, search0, mailbox, ...refusals]);
    for (const phi of [sent.subject, search, main.surname]) expect(text).not.toContain(phi);
    summarize(w, 'access-audit: listings and refused reads recorded and filtered');
  });

  it('refuses members without the audit privilege, patients and strangers', async () => {
    const { main } = w.run.practices;
    const cases: [string, Promise<Answer>, number, string][] = [
      [
        'practice admin without audit.read',
        accessRecords(main.practiceId, main.members.practiceAdmin!.id, ''),
        403,
        'privilege-required',
      ],
      [
        'group admin',
        accessRecords(main.practiceId, main.members.groupAdmin!.id, ''),
        403,
        'privilege-required',
      ],
      [
        'patient',
        (async () =>
          call('GET', `${auditUrl}/access-records`, {
            token: await w.tokens.patient(main.practiceId, main.patients.patient!.id),
          }))(),
        403,
        'actor-not-allowed',
      ],
      [
        'no token',
        call('GET', `${auditUrl}/access-records`, { token: null }),
        401,
        'unauthenticated',
      ],
    ];
    for (const [who, pending, status, code] of cases) {
      const answer = await pending;
      expect({
        who,
        status: answer.status,
        code: codeOf(answer),
        problem: isProblem(answer),
      }).toEqual({
        who,
        status,
        code,
        problem: true,
      });
    }
  });

  it('has no way to change or remove a record', async () => {
    const { main } = w.run.practices;
    const [record] = (
      (await accessRecords(main.practiceId, AUDITOR, '?limit=1')).json as {
        records: AccessRecord[];
      }
    ).records;
    expect(record).toBeDefined();
    const token = await w.tokens.member(main.practiceId, AUDITOR);
    for (const method of ['PUT', 'PATCH', 'DELETE', 'POST']) {
      for (const path of ['/access-records', `/access-records/${record!.recordId}`]) {
        const answer = await call(method, `${auditUrl}${path}`, { token, body: {} });
        expect([404, 405]).toContain(answer.status);
        expect(isProblem(answer)).toBe(true);
      }
    }
    const again = await accessRecords(main.practiceId, AUDITOR, `?actorId=${record!.actor.id}`);
    expect((again.json as { records: AccessRecord[] }).records).toContainEqual(record);
  });
});
