/**
 * The analytics stream carries no PHI. Marked PHI goes through every path a
 * thread takes (a patient's message with subject and body, an assignment, a
 * reply, a note, a follow-up, trash and restore, a direct message), then
 * every record on `gm.analytics.threads` (of every practice and every suite
 * of the run) is searched, value and headers, for the markers of every
 * suite, the patients' ids and names, the members' and groups' names.
 * It also checks what the facts do say: the app, the facility and
 * categories, the timings, one pseudonymous key per patient; and that the
 * example consumer (tools/analytics) counts the thread's first reply.
 */
import { mintToken } from '@gm/auth';
import { TOPICS, type ThreadFactV1 } from '@gm/contracts';
import { randomUUID } from 'node:crypto';
import { dailyFirstResponse, readFirstReplies } from '../tools/analytics/daily-first-response.js';
import { call, describeAnswer } from './harness/http.js';
import { kafkaOf } from './harness/kafka.js';
import { PHI_PREFIX, phiText, routed, summarize, world } from './harness/world.js';

const w = world();
const M = w.run.practices.main;
const O = w.run.practices.other;
const TOPIC = TOPICS.analyticsThreads.name;

interface RawRecord {
  text: string;
  fact?: ThreadFactV1;
}

/** Every record on the topic so far, raw (value and headers as text), until `enough` or 30 s. */
async function readTopic(enough: (records: RawRecord[]) => boolean): Promise<RawRecord[]> {
  const records: RawRecord[] = [];
  const consumer = kafkaOf(w.run).consumer({ groupId: `st-analytics-${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers = Object.entries(message.headers ?? {}).map(
          ([name, value]) => `${name}=${String(value)}`,
        );
        const value = message.value?.toString() ?? '';
        records.push({
          text: `${message.key?.toString() ?? ''}\n${headers.join('\n')}\n${value}`,
          fact: value ? (JSON.parse(value) as ThreadFactV1) : undefined,
        });
      },
    });
    const deadline = Date.now() + 30_000;
    while (!enough(records) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return records;
  } finally {
    await consumer.disconnect();
  }
}

const factsOf = (records: RawRecord[], threadId: string): ThreadFactV1[] =>
  records
    .map((record) => record.fact)
    .filter((fact): fact is ThreadFactV1 => fact?.threadId === threadId)
    .sort((a, b) => a.sequence - b.sequence);

describe('the PHI-free analytics stream', () => {
  it('carries none of the PHI sent through every path of a thread, and says what analytics needs', async () => {
    const ada = M.patients.patient;
    const patientFrom = (clientId?: string) =>
      mintToken(
        w.run.secret,
        { sub: ada.id, practiceId: M.practiceId, actor: 'patient' },
        { expiresIn: '15m', ...(clientId ? { clientId } : {}) },
      );
    const member = (id: string) => w.tokens.member(M.practiceId, id);
    const intake = w.urls['messaging-intake'];
    const routing = w.urls['routing-assignment'];
    const marks: string[] = [];
    const mark = (what: string) => {
      const marker = phiText(`analytics-${what}`);
      marks.push(marker);
      return marker;
    };

    const sent = await call('POST', `${intake}/threads`, {
      token: await patientFrom('gm-mobile-app'),
      body: {
        recipient: { kind: 'group', groupId: M.groupIds.billing },
        subject: mark('subject'),
        body: mark('body'),
      },
    });
    expect(describeAnswer(sent)).toBe('202');
    const { threadId } = sent.json as { threadId: string };
    await routed(w, M.practiceId, M.members.groupAdmin.id, threadId);
    const act = async (who: string, action: string, body?: unknown) =>
      describeAnswer(
        await call('POST', `${routing}/threads/${threadId}/${action}`, {
          token: await member(who),
          body,
        }),
      );
    expect(await act('mbr_gadmin', 'assignment', { assigneeMemberId: 'mbr_assignee' })).toBe('200');
    expect(await act('mbr_assignee', 'replies', { body: mark('reply') })).toBe('202');
    expect(await act('mbr_gadmin', 'notes', { body: mark('note') })).toBe('201');
    const followUp = await call('POST', `${intake}/threads/${threadId}/messages`, {
      token: await patientFrom('gm-phr-web'),
      body: { body: mark('follow-up') },
    });
    expect(describeAnswer(followUp)).toBe('202');
    expect(await act('mbr_gadmin', 'trash')).toBe('200');
    expect(await act('mbr_gadmin', 'restore')).toBe('200');
    // A direct message to her care team member, from a client no one configured.
    const direct = await call('POST', `${intake}/threads`, {
      token: await patientFrom('someone-elses-app'),
      body: {
        recipient: { kind: 'member', memberId: 'mbr_care' },
        subject: mark('direct-subject'),
        body: mark('direct-body'),
      },
    });
    expect(describeAnswer(direct)).toBe('202');
    const directId = (direct.json as { threadId: string }).threadId;

    const expected = [
      'opened',
      'routed',
      'assigned',
      'replied',
      'note-added',
      'patient-followed-up',
      'trashed',
      'restored',
    ];
    const records = await readTopic(
      (seen) =>
        expected.every((kind) => factsOf(seen, threadId).some((f) => f.fact === kind)) &&
        factsOf(seen, directId).some((f) => f.fact === 'routed'),
    );
    const facts = factsOf(records, threadId);
    expect(facts.map((f) => f.fact)).toEqual(expect.arrayContaining(expected));

    // Nothing of the PHI, of any suite, anywhere on the topic.
    const people = [M, O].flatMap((practice) => [
      ...Object.values(practice.patients).flatMap((p) => [p.id, p.displayName]),
      ...Object.values(practice.members).map((m) => m.displayName),
      ...Object.values(practice.groups).map((g) => g.name),
      practice.name,
    ]);
    const leaks = [PHI_PREFIX, ...marks, ...people].flatMap((needle) =>
      records.filter((r) => r.text.includes(needle)).map((r) => `${needle} in ${r.text}`),
    );
    expect(leaks).toEqual([]);

    // What it does say: numbered without gaps, the app, where the patient belongs, the timings.
    expect(facts.map((f) => f.sequence)).toEqual(facts.map((_, i) => i + 1));
    expect(facts[0]).toMatchObject({
      fact: 'opened',
      channel: 'mobile-app',
      groupId: M.groupIds.billing,
      routing: 'specific-members',
      facilityId: ada.facilityId,
      categoryIds: ada.categoryIds,
      actor: 'patient',
      actorMemberId: null,
    });
    const reply = facts.find((f) => f.fact === 'replied')!;
    expect(reply).toMatchObject({ actorMemberId: 'mbr_assignee', status: 'replied' });
    expect(reply.timeToFirstReplyMs).toBeGreaterThanOrEqual(0);
    expect(reply.responseMs).toBe(reply.timeToFirstReplyMs);
    const assignment = facts.find((f) => f.fact === 'assigned')!;
    expect(assignment.timeToFirstAssignmentMs).toBeLessThanOrEqual(reply.timeToFirstReplyMs!);
    const [directOpened] = factsOf(records, directId);
    expect(directOpened).toMatchObject({ channel: 'unknown', routing: 'direct', groupId: null });
    // One patient, one key, in both her threads.
    expect(new Set([...facts, directOpened!].map((f) => f.patientKey)).size).toBe(1);
    // The example consumer analytics teams copy finds her first reply in its day's figures.
    const daily = dailyFirstResponse(await readFirstReplies(w.run.kafkaBrokers));
    expect(daily).toContainEqual(
      expect.objectContaining({
        day: reply.occurredAt.slice(0, 10),
        practiceId: M.practiceId,
        groupId: M.groupIds.billing,
      }),
    );
    summarize(
      w,
      `analytics stream: ${records.length} records searched for ${marks.length} markers, the ` +
        `${PHI_PREFIX} prefix of every suite and ${people.length} ids and names: ${leaks.length} leaks`,
    );
  });
});
