/**
 * What operators run (ADR 0019), from the outside:
 *
 * - the projection rebuild is for operators' system clients only: a scope
 *   claim on a member's or patient's token, or another scope on a system
 *   token, opens nothing (the matrix has every actor; these are the forged
 *   tokens it does not send);
 * - the live feed refuses a deactivated member, and an open one ends when
 *   the member's deactivation reaches the read model;
 * - `tools/dead-letters.ts` against the run's broker: a consumer refuses two
 *   events (dead letters); `list` and `show` print no payload; `show
 *   --with-payload` does, audited; after the consumer is fixed, `replay`
 *   republishes them, each is applied once although one is replayed twice
 *   (the consumer dedupes on the event id), `replay --all` skips what was
 *   replayed, and access-audit holds who showed and replayed what.
 */
import { buildEnvelope, deadLetterTopic, MessageSentV1, toWireRecord, TOPICS } from '@gm/contracts';
import {
  EventConsumer,
  MongoProcessedEvents,
  ensureTopics,
  silentLogger,
  UnprocessableEvent,
} from '@gm/messaging';
import { waitFor } from '@gm/testing';
import type { Kafka, Producer } from 'kafkajs';
import { MongoClient, type Collection } from 'mongodb';
import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { call, codeOf, consistencyHeader, describeAnswer, eventually } from './harness/http.js';
import { kafkaOf, readDeadLetters } from './harness/kafka.js';
import { REPO_ROOT } from './harness/layout.js';
import { OPERATOR_SCOPE } from './harness/tokens.js';
import { phiText, summarize, world } from './harness/world.js';

const w = world();
const M = w.run.practices.main;
const TAG = randomUUID().slice(0, 8);
const INBOX = w.urls['inbox-projection'];
let tally = 0;

interface ToolRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `tools/dead-letters.ts`, compiled once with swc as the services are (the
 * harness has built the libraries it imports): thirty runs through
 * `@swc-node/register` spent most of this suite compiling TypeScript.
 */
const TOOL = join(REPO_ROOT, '.local', 'tools', 'dead-letters.js');
function compileTool(): void {
  execFileSync(
    join(REPO_ROOT, 'node_modules', '.bin', 'swc'),
    ['tools/dead-letters.ts', '-o', TOOL, '--config-file', '.swcrc'],
    { cwd: REPO_ROOT, stdio: 'pipe' },
  );
}

/** The dead-letter tool as an operator runs it (`npm run dead-letters`), against the run's broker. */
function deadLetters(...args: string[]): Promise<ToolRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, KAFKA_BROKERS: w.run.kafkaBrokers.join(',') };
  delete env.NODE_OPTIONS;
  delete env.DEAD_LETTER_OPERATOR;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [TOOL, ...args],
      { cwd: REPO_ROOT, env, timeout: 120_000 },
      (error, stdout, stderr) => {
        tally++;
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('operator tools', () => {
  const started = Date.now();
  beforeAll(compileTool);
  afterAll(() =>
    summarize(
      w,
      `operator tools: ${tally} tool runs and checks (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    ),
  );

  describe('the projection rebuild is for operators', () => {
    const status = (token: string) => call('GET', `${INBOX}/admin/rebuild`, { token });

    it('an operator reads its status; forged or foreign scopes do not make an operator', async () => {
      const operator = await w.tokens.operator(M.practiceId, 'ops_reader');
      const allowed = await status(operator);
      expect(allowed.status).toBe(200);
      expect(allowed.json).toMatchObject({ state: expect.any(String) });
      tally++;

      const refusals: [string, Promise<string>, number, string][] = [
        [
          'the practice EHR client',
          w.tokens.system(M.practiceId, M.systemId),
          403,
          'operator-only',
        ],
        [
          'a system client with another scope',
          w.tokens.for({
            actor: 'system',
            sub: M.systemId,
            practiceId: M.practiceId,
            scope: ['gm:directory', 'openid'],
          }),
          403,
          'operator-only',
        ],
        [
          'a member claiming the operator scope',
          w.tokens.for({
            actor: 'member',
            sub: M.members.practiceAdmin.id,
            practiceId: M.practiceId,
            scope: OPERATOR_SCOPE,
          }),
          403,
          'actor-not-allowed',
        ],
        [
          'a patient claiming the operator scope',
          w.tokens.for({
            actor: 'patient',
            sub: M.patients.patient.id,
            practiceId: M.practiceId,
            scope: OPERATOR_SCOPE,
          }),
          403,
          'actor-not-allowed',
        ],
      ];
      const wrong: string[] = [];
      for (const [who, token, expectedStatus, code] of refusals) {
        for (const method of ['GET', 'POST'] as const) {
          const answer = await call(method, `${INBOX}/admin/rebuild`, { token: await token });
          tally++;
          if (answer.status !== expectedStatus || codeOf(answer) !== code)
            wrong.push(`${method} by ${who}: ${describeAnswer(answer)}`);
        }
      }
      expect(wrong).toEqual([]);
    });
  });

  describe('the live feed and deactivation', () => {
    interface OpenFeed {
      status: number;
      contentType: string;
      body: string;
      ended: Promise<void>;
      close(): void;
    }

    /** The feed, with the practice's Consistency-Tokens (the member's directory write first). */
    async function open(memberId: string): Promise<OpenFeed> {
      const abort = new AbortController();
      const headers: Record<string, string> = {
        accept: 'text/event-stream, application/problem+json',
        authorization: `Bearer ${await w.tokens.member(M.practiceId, memberId)}`,
      };
      const tokens = consistencyHeader(M.practiceId);
      if (tokens) headers['consistency-token'] = tokens;
      const response = await fetch(`${INBOX}/inbox/events`, { headers, signal: abort.signal });
      const feed: OpenFeed = {
        status: response.status,
        contentType: response.headers.get('content-type') ?? '',
        body: '',
        ended: Promise.resolve(),
        close: () => abort.abort(),
      };
      feed.ended = (async () => {
        try {
          for await (const chunk of response.body ?? [])
            feed.body += Buffer.from(chunk).toString('utf8');
        } catch {
          // aborted by close()
        }
      })();
      return feed;
    }

    const putMember = async (memberId: string, active: boolean) => {
      const answer = await call(
        'PUT',
        `${w.urls['practice-directory']}/directory/members/${memberId}`,
        {
          token: await w.tokens.system(M.practiceId, M.systemId),
          body: { displayName: `Lee Leaver ${TAG}`, roleId: null, active },
        },
      );
      expect(answer.status).toBe(200);
    };

    it("a deactivated member's feed is refused; an open one ends when the deactivation arrives", async () => {
      const refused = await open(M.members.inactiveAdmin.id);
      await refused.ended;
      expect({ status: refused.status, type: refused.contentType }).toEqual({
        status: 403,
        type: expect.stringMatching(/^application\/problem\+json/),
      });
      expect(JSON.parse(refused.body)).toMatchObject({ code: 'member-inactive' });

      const leaver = `mbr_leaver_${TAG}`;
      await putMember(leaver, true);
      const feed = await waitFor(
        () => open(leaver),
        (f) => {
          if (f.status !== 200) f.close();
          return f.status === 200;
        },
        { description: 'the new member has a feed', timeoutMs: 20_000 },
      );
      try {
        let ended = false;
        void feed.ended.then(() => (ended = true));
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect(ended).toBe(false);
        await putMember(leaver, false);
        await waitFor(async () => ended, Boolean, {
          description: "the deactivated member's feed to end",
          timeoutMs: 20_000,
        });
      } finally {
        feed.close();
      }
      const after = await open(leaver);
      await after.ended;
      expect(after.status).toBe(403);
      expect(JSON.parse(after.body)).toMatchObject({ code: 'member-inactive' });
      tally += 4;
    }, 60_000);
  });

  describe('tools/dead-letters.ts', () => {
    const topic = `st.operator-tools.${TAG}`;
    const group = `st-operator-tools-${TAG}`;
    const operator = `ops_jane_${TAG}`;
    let kafka: Kafka;
    let producer: Producer;
    let mongo: MongoClient;
    let applied: Collection<{ _id: string; applications: number }>;
    let consumer: EventConsumer;
    /** The "fix": until it is deployed the consumer refuses these events. */
    let fixed = false;
    const sent: { threadId: string; eventId: string; subject: string; body: string }[] = [];
    /** Further access records the tool wrote (beyond the four of the events above). */
    const audited: string[] = [];
    const applications = async (eventId: string) =>
      (await applied.findOne({ _id: eventId }))?.applications ?? 0;

    beforeAll(async () => {
      kafka = kafkaOf(w.run);
      await ensureTopics(
        kafka,
        [
          { name: topic, compacted: false, partitions: 3 },
          { name: deadLetterTopic(group), compacted: false, partitions: 1 },
        ],
        { replicationFactor: 1 },
      );
      producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      mongo = await new MongoClient(w.run.mongoUri, { retryWrites: false }).connect();
      const db = mongo.db(`st_operator_tools_${w.run.runId}`);
      applied = db.collection('applied');
      consumer = new EventConsumer({
        kafka,
        groupId: group,
        topics: [topic],
        // Deliberately not idempotent ($inc): only the consumer's dedupe on the event id keeps it exact.
        handler: async (envelope) => {
          if (!fixed) throw new UnprocessableEvent('this consumer cannot take the event yet');
          await applied.updateOne(
            { _id: envelope.id },
            { $inc: { applications: 1 } },
            { upsert: true },
          );
        },
        processed: new MongoProcessedEvents(db.collection('processed_events')),
        deadLetters: producer,
        logger: silentLogger,
      });
      await consumer.start();
    }, 90_000);

    afterAll(async () => {
      await consumer?.stop();
      await producer?.disconnect();
      await mongo?.db(`st_operator_tools_${w.run.runId}`).dropDatabase();
      await mongo?.close();
    });

    it('a consumer refuses two MessageSent events: they are dead-lettered', async () => {
      for (const n of [1, 2]) {
        const threadId = `thr_ops_${TAG}_${n}`;
        const data: MessageSentV1 = {
          practiceId: M.practiceId,
          threadId,
          messageId: `msg_ops_${TAG}_${n}`,
          patientId: M.patients.patient.id,
          recipientKind: 'group',
          groupId: M.groupIds.billing,
          memberId: null,
          subject: phiText(`dead-letter-subject-${n}`),
          body: phiText(`dead-letter-body-${n}`),
          followUp: false,
          threadVersion: 1,
          sentAt: new Date().toISOString(),
        };
        const envelope = buildEnvelope(MessageSentV1, data, {
          id: randomUUID(),
          source: '/system-tests/operator-tools',
          time: data.sentAt,
          practiceId: M.practiceId,
          correlationId: randomUUID(),
        });
        const wire = toWireRecord(envelope);
        await producer.send({ topic, acks: -1, messages: [wire] });
        sent.push({ threadId, eventId: envelope.id, subject: data.subject, body: data.body });
      }
      const letters = await readDeadLetters(kafka, [deadLetterTopic(group)], (l) => l.length >= 2);
      expect(letters.map((l) => l.headers.ce_id).sort()).toEqual(sent.map((s) => s.eventId).sort());
    }, 60_000);

    const phi = () => sent.flatMap((s) => [s.subject, s.body]);
    const offsetOf = (listing: string, eventId: string) =>
      /offset=(\S+)/.exec(listing.split('\n').find((line) => line.includes(eventId)) ?? '')?.[1];

    it('list prints one line per dead letter, without the payload', async () => {
      const run = await deadLetters('list', '--group', group);
      expect(run.code).toBe(0);
      const lines = run.stdout.trim().split('\n');
      expect(lines).toHaveLength(2);
      for (const s of sent) {
        const line = lines.find((l) => l.includes(`id=${s.eventId}`));
        expect(line).toMatch(
          new RegExp(
            `^offset=\\d+  source=${topic.replace(/\./g, '\\.')}/\\d@\\d+  type=gm\\.message\\.sent\\.v1  id=${s.eventId}  at=\\S+  replayed=no  error="this consumer cannot take the event yet"$`,
          ),
        );
      }
      for (const text of phi()) expect(run.stdout + run.stderr).not.toContain(text);
      expect(run.stdout + run.stderr).not.toContain('PHIMARK');
    }, 60_000);

    it('show prints the metadata; the payload only with --with-payload and an operator, audited', async () => {
      const listing = (await deadLetters('list', '--group', group)).stdout;
      const offset = offsetOf(listing, sent[0]!.eventId)!;
      const plain = await deadLetters('show', '--group', group, '--offset', offset);
      expect(plain.code).toBe(0);
      expect(plain.stdout).toContain(`ce_id: ${sent[0]!.eventId}`);
      expect(plain.stdout).toContain(`x-dead-letter-consumer-group: ${group}`);
      expect(plain.stdout).not.toContain('PHIMARK');

      const anonymous = await deadLetters(
        'show',
        '--group',
        group,
        '--offset',
        offset,
        '--with-payload',
      );
      expect(anonymous.code).toBe(2);
      expect(anonymous.stderr).toContain('--operator');
      expect(anonymous.stdout + anonymous.stderr).not.toContain('PHIMARK');

      const shown = await deadLetters(
        'show',
        '--group',
        group,
        '--offset',
        offset,
        '--with-payload',
        '--operator',
        operator,
      );
      expect(shown.code).toBe(0);
      expect(shown.stdout).toContain(sent[0]!.body);
      expect(shown.stdout).toContain('audited: AccessRecorded');
    }, 60_000);

    it('after the fix, replay applies each dead letter once, even replayed twice; --all skips what was replayed', async () => {
      const listing = (await deadLetters('list', '--group', group)).stdout;
      const [first, second] = sent.map((s) => offsetOf(listing, s.eventId)!);
      fixed = true;

      const dry = await deadLetters(
        'replay',
        '--group',
        group,
        '--offset',
        first!,
        '--dry-run',
        '--operator',
        operator,
      );
      expect(dry.code).toBe(0);
      expect(dry.stdout).toContain('would replay');

      const once = await deadLetters(
        'replay',
        '--group',
        group,
        '--offset',
        first!,
        '--operator',
        operator,
      );
      expect(once.code).toBe(0);
      expect(once.stdout).toMatch(
        new RegExp(
          `replayed gm\\.message\\.sent\\.v1 ${sent[0]!.eventId} to ${topic.replace(/\./g, '\\.')}/`,
        ),
      );
      await waitFor(
        () => applications(sent[0]!.eventId),
        (n) => n >= 1,
        {
          description: 'the replayed event applied',
        },
      );

      // --all: the first was replayed (skipped), the second is replayed now.
      const all = await deadLetters('replay', '--group', group, '--all', '--operator', operator);
      expect(all.code).toBe(0);
      expect(all.stdout).toContain(`${first}: already replayed`);
      expect(all.stdout).toContain(`replayed gm.message.sent.v1 ${sent[1]!.eventId}`);
      await waitFor(
        () => applications(sent[1]!.eventId),
        (n) => n >= 1,
        {
          description: 'the second event applied',
        },
      );

      // The first once more, forced: the consumer sees its event id again and skips it.
      const duplicatesBefore = consumer.stats.duplicates;
      const forced = await deadLetters(
        'replay',
        '--group',
        group,
        '--offset',
        first!,
        '--force',
        '--operator',
        operator,
      );
      expect(forced.code).toBe(0);
      await waitFor(
        async () => consumer.stats.duplicates,
        (n) => n > duplicatesBefore,
        {
          description: 'the forced replay to reach the consumer',
        },
      );
      const again = await deadLetters('replay', '--group', group, '--all', '--operator', operator);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain(`${first}: already replayed`);
      expect(again.stdout).toContain(`${second}: already replayed`);
      expect(again.stderr).toContain('0 replayed');

      expect({
        first: await applications(sent[0]!.eventId),
        second: await applications(sent[1]!.eventId),
      }).toEqual({ first: 1, second: 1 });
      for (const run of [dry, once, all, forced, again])
        expect(run.stdout + run.stderr).not.toContain('PHIMARK');

      const after = await deadLetters('list', '--group', group);
      // The consumer took the replays: no new dead letter, both marked replayed by the operator.
      expect(after.stdout.trim().split('\n')).toHaveLength(2);
      expect(after.stdout.match(new RegExp(`replayed=\\S+ by ${operator}`, 'g'))).toHaveLength(2);
    }, 120_000);

    it("on a service's real dead letters: list shows no PHI; a record it cannot audit is refused; a replayed poison record is dead-lettered again", async () => {
      const inboxGroup = w.run.services['inbox-projection'].consumerGroup;
      const poison = `thr_ops_poison_${TAG}`;
      const body = phiText('poison-body');
      const ceHeaders = {
        ce_id: `ops-poison-${randomUUID()}`,
        ce_type: MessageSentV1.type,
        ce_source: '/system-tests/operator-tools',
        ce_time: new Date().toISOString(),
        ce_specversion: '1.0',
        ce_subject: poison,
        ce_dataschema: `urn:group-messages:schema:${MessageSentV1.type}`,
        ce_practiceid: M.practiceId,
        ce_correlationid: randomUUID(),
        'content-type': 'application/json',
      };
      // A schema violation with PHI in it, and a record without headers (no practice to audit under).
      const headless = `ops-headless-${TAG}`;
      await producer.send({
        topic: TOPICS.patientMessages.name,
        acks: -1,
        messages: [
          {
            key: poison,
            value: JSON.stringify({
              practiceId: M.practiceId,
              threadId: poison,
              body,
              followUp: 'no',
            }),
            headers: ceHeaders,
          },
          { key: headless, value: JSON.stringify({ body }) },
        ],
      });
      const dlq = deadLetterTopic(inboxGroup);
      const arrived = (letters: Awaited<ReturnType<typeof readDeadLetters>>, match: string) =>
        letters.filter((l) => (l.headers.ce_id ?? l.key) === match).length;
      await readDeadLetters(
        kafka,
        [dlq],
        (l) => arrived(l, ceHeaders.ce_id) >= 1 && arrived(l, headless) >= 1,
      );

      const listed = await deadLetters('list', '--group', inboxGroup);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toContain(`id=${ceHeaders.ce_id}`);
      expect(listed.stdout + listed.stderr).not.toContain('PHIMARK');
      const lineOf = (text: string, match: string) =>
        text.split('\n').filter((line) => line.includes(match));
      const headlessLine = listed.stdout
        .split('\n')
        .find(
          (line) =>
            line.includes('id=-') && line.includes(`source=${TOPICS.patientMessages.name}/`),
        );
      expect(headlessLine).toBeDefined();
      const headlessOffset = /offset=(\S+)/.exec(headlessLine!)![1]!;
      const poisonOffset = /offset=(\S+)/.exec(lineOf(listed.stdout, ceHeaders.ce_id)[0]!)![1]!;

      const unauditable = await deadLetters(
        'show',
        '--group',
        inboxGroup,
        '--offset',
        headlessOffset,
        '--with-payload',
        '--operator',
        operator,
      );
      expect(unauditable.code).toBe(1);
      expect(unauditable.stderr).toContain('cannot be audited');
      expect(unauditable.stdout + unauditable.stderr).not.toContain('PHIMARK');
      const refusedReplay = await deadLetters(
        'replay',
        '--group',
        inboxGroup,
        '--offset',
        headlessOffset,
        '--operator',
        operator,
      );
      expect(refusedReplay.code).toBe(1);
      expect(refusedReplay.stderr).toContain('cannot be audited');

      // Nothing was fixed: the replayed record breaks its contract again and is dead-lettered again.
      const replayed = await deadLetters(
        'replay',
        '--group',
        inboxGroup,
        '--offset',
        poisonOffset,
        '--operator',
        operator,
      );
      expect(replayed.code).toBe(0);
      await readDeadLetters(kafka, [dlq], (l) => arrived(l, ceHeaders.ce_id) >= 2);
      const after = await deadLetters('list', '--group', inboxGroup);
      const lines = lineOf(after.stdout, ceHeaders.ce_id);
      expect(lines).toHaveLength(2);
      expect(lines.filter((line) => line.includes(`replayed=no`))).toHaveLength(1);
      expect(after.stdout + after.stderr).not.toContain('PHIMARK');
      audited.push(`dead-letter.replay ${poison}`);
    }, 120_000);

    it("the access audit holds the operator's payload read and replays, ids only", async () => {
      const auditor = await w.tokens.member(M.practiceId, M.members.auditor.id);
      const answer = await eventually(
        () =>
          call('GET', `${w.urls['access-audit']}/access-records?actorId=${operator}`, {
            token: auditor,
          }),
        (a) =>
          a.status === 200 &&
          (a.json as { records: unknown[] }).records.length >= 4 + audited.length,
        "the operator's access records",
        { timeoutMs: 30_000, intervalMs: 500 },
      );
      const records = (
        answer.json as { records: { action: string; threadId: string; actor: unknown }[] }
      ).records;
      expect(records.map((r) => `${r.action} ${r.threadId}`).sort()).toEqual(
        [
          `dead-letter.payload.read ${sent[0]!.threadId}`,
          `dead-letter.replay ${sent[0]!.threadId}`,
          `dead-letter.replay ${sent[0]!.threadId}`,
          `dead-letter.replay ${sent[1]!.threadId}`,
          ...audited,
        ].sort(),
      );
      expect(
        records.every(
          (r) => JSON.stringify(r.actor) === JSON.stringify({ kind: 'system', id: operator }),
        ),
      ).toBe(true);
      expect(answer.text).not.toContain('PHIMARK');
    }, 60_000);
  });
});
