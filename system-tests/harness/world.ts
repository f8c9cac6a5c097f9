/**
 * What every suite starts from: the run the global setup prepared, tokens
 * minted with its secret, and a few steps every suite takes (a patient sends,
 * the practice side sees the thread).
 */
import { appendFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { call, describeAnswer, rememberTokens, type Answer } from './http.js';
import { readRun, serviceUrls, type RunInfo, type ServiceName } from './layout.js';
import { TokenBox } from './tokens.js';

export interface World {
  run: RunInfo;
  urls: Record<ServiceName, string>;
  tokens: TokenBox;
}

export function world(): World {
  const run = readRun();
  rememberTokens(run.consistencyTokens);
  return { run, urls: serviceUrls(run), tokens: new TokenBox(run.secret) };
}

/**
 * Text that stands for PHI (a subject, a body): unique, and with a prefix that
 * appears nowhere else, so the PHI check finds any of it in the services' logs.
 */
export const PHI_PREFIX = 'PHIMARK';
export const phiText = (what: string) =>
  `${PHI_PREFIX}-${what}-${randomUUID().replace(/-/g, '').slice(0, 10)}`;

/** A line for the end-of-run summary (printed by the teardown) and the suite's output. */
export function summarize(w: World, line: string): void {
  appendFileSync(path.join(w.run.runDir, 'summary.txt'), `${line}\n`);
  process.stdout.write(`\n[system-tests] ${line}\n`);
}

export type Recipient = { kind: 'group'; groupId: string } | { kind: 'member'; memberId: string };

export interface Sent {
  threadId: string;
  messageId: string;
  subject: string;
  body: string;
}

/** A patient writes (202 expected); subject and body are PHI markers unless given. */
export async function patientSends(
  w: World,
  practiceId: string,
  patientId: string,
  recipient: Recipient,
  text: { subject?: string; body?: string } = {},
): Promise<Sent> {
  const subject = text.subject ?? phiText('subject');
  const body = text.body ?? phiText('body');
  const answer = await call('POST', `${w.urls['messaging-intake']}/threads`, {
    token: await w.tokens.patient(practiceId, patientId),
    body: { recipient, subject, body },
  });
  if (answer.status !== 202) {
    throw new Error(`${patientId} could not send: ${describeAnswer(answer)} ${answer.text}`);
  }
  const { threadId, messageId } = answer.json as { threadId: string; messageId: string };
  return { threadId, messageId, subject, body };
}

export const timelineUrl = (w: World, threadId: string) =>
  `${w.urls['routing-assignment']}/threads/${threadId}/timeline`;

export interface Timeline {
  threadId: string;
  patientId: string;
  routing: string;
  groupId: string | null;
  status: 'not-replied' | 'replied';
  trashed: boolean;
  assigneeMemberId: string | null;
  version: number;
  entries: {
    kind: string;
    actor: { kind: string; id: string | null };
    details?: Record<string, unknown>;
  }[];
  memberNames: Record<string, string>;
}

export async function timeline(
  w: World,
  practiceId: string,
  memberId: string,
  threadId: string,
): Promise<Answer> {
  return call('GET', timelineUrl(w, threadId), {
    token: await w.tokens.member(practiceId, memberId),
  });
}

/** The thread as routing-assignment has it, read by `memberId` once it has the practice's writes. */
export async function routed(
  w: World,
  practiceId: string,
  memberId: string,
  threadId: string,
  accept: (t: Timeline) => boolean = () => true,
): Promise<Timeline> {
  // The send's token is carried: routing answers once it has the thread.
  const answer = await timeline(w, practiceId, memberId, threadId);
  if (answer.status !== 200 || !accept(answer.json as Timeline)) {
    throw new Error(
      `the timeline of ${threadId} for ${memberId}: ${describeAnswer(answer)} ${answer.text.slice(0, 500)}`,
    );
  }
  return answer.json as Timeline;
}
