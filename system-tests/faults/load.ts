/**
 * The load: patients write to their groups (and now and then to their care
 * team member directly) through messaging-intake, at a steady rate, the way
 * a PHR client does on a flaky network: every message has its own
 * Idempotency-Key, and a connection error, a timeout, a 5xx or a 409
 * request-in-progress (the claim of an attempt that died with its process
 * lives 30 s, ADR 0010) is retried with the same key and body, with backoff,
 * a bounded number of times. "Accepted" is a message that got a 2xx.
 */
import { randomUUID } from 'node:crypto';
import { mainPracticeFixture, type PracticeFixture } from '../harness/fixtures.js';
import type { TokenBox } from '../harness/tokens.js';
import { sleep } from './layout.js';

export type Recipient = { kind: 'group'; groupId: string } | { kind: 'member'; memberId: string };

export interface SentMessage {
  n: number;
  patientId: string;
  recipient: Recipient;
  /** Which fixture group (billing, care, lab) or 'direct'. */
  route: string;
  subject: string;
  key: string;
  startedAt: number;
  endedAt?: number;
  attempts: number;
  /** What each failed attempt met: "ECONNREFUSED", "503", "409 request-in-progress"… */
  failures: string[];
  outcome?: 'accepted' | 'failed';
  replayed?: boolean;
  threadId?: string;
  messageId?: string;
}

const MAX_ATTEMPTS = 16;
const ATTEMPT_TIMEOUT_MS = 10_000;
const MAX_IN_FLIGHT = 32;

/**
 * The seeded practice of a fault world: the system tests' main practice
 * (group Admin, Users, care team, outsiders) with two more patients, so four
 * patients write in parallel: pat_a and pat_c (Main Street, diabetes, care
 * team mbr_care) see Billing, the Diabetes Care Team (care-team routing) and
 * mbr_care; pat_b and pat_d (North Clinic) see Billing and Lab Services.
 */
export function faultPracticeFixture(practiceId: string): PracticeFixture {
  const fixture = mainPracticeFixture(practiceId, 'Faultline');
  const { patient, otherPatient } = fixture.patients;
  fixture.patients.thirdPatient = {
    ...patient!,
    id: 'pat_c',
    displayName: 'Cleo Faultline',
  };
  fixture.patients.fourthPatient = {
    ...otherPatient!,
    id: 'pat_d',
    displayName: 'Dan Faultline',
  };
  return fixture;
}

/** What patient number `n` writes to, from what the fixture's To lists offer. */
function routeOf(patientId: string, n: number): string {
  const mainStreet = patientId === 'pat_a' || patientId === 'pat_c';
  if (mainStreet) return n % 10 === 7 ? 'direct' : n % 2 === 0 ? 'billing' : 'care';
  return n % 2 === 0 ? 'billing' : 'lab';
}

const describeError = (error: unknown): string => {
  const e = error as { name?: string; cause?: { code?: string }; code?: string };
  return e.cause?.code ?? e.code ?? e.name ?? String(error);
};

export class LoadGenerator {
  readonly messages: SentMessage[] = [];
  private stopping = false;
  private loop?: Promise<void>;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly patients: string[];

  constructor(
    private readonly intakeUrl: string,
    private readonly tokens: TokenBox,
    private readonly fixture: PracticeFixture & { groupIds: Record<string, string> },
    private readonly label: string,
    private readonly rate: number,
    private readonly maxMessages: number,
  ) {
    this.patients = Object.values(fixture.patients).map((p) => p.id);
  }

  start(): void {
    this.loop = this.run();
  }

  /** Stops starting messages and waits (bounded by the retry budget) for those under way. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
    await Promise.all([...this.inFlight]);
  }

  /** True once the cap is reached: the faults after that would run without load. */
  get exhausted(): boolean {
    return this.messages.length >= this.maxMessages;
  }

  private async run(): Promise<void> {
    const interval = 1000 / this.rate;
    for (let n = 0; n < this.maxMessages && !this.stopping; n++) {
      const started = Date.now();
      while (this.inFlight.size >= MAX_IN_FLIGHT && !this.stopping) await sleep(20);
      const sending = this.send(n).finally(() => this.inFlight.delete(sending));
      this.inFlight.add(sending);
      await sleep(Math.max(0, interval - (Date.now() - started)));
    }
  }

  private recipientOf(route: string): Recipient {
    return route === 'direct'
      ? { kind: 'member', memberId: 'mbr_care' }
      : { kind: 'group', groupId: this.fixture.groupIds[route]! };
  }

  private async send(n: number): Promise<void> {
    const patientId = this.patients[n % this.patients.length]!;
    const route = routeOf(patientId, Math.floor(n / this.patients.length));
    const message: SentMessage = {
      n,
      patientId,
      recipient: this.recipientOf(route),
      route,
      subject: `${this.label} message ${n}`,
      key: randomUUID(),
      startedAt: Date.now(),
      attempts: 0,
      failures: [],
    };
    this.messages.push(message);
    const token = await this.tokens.patient(this.fixture.practiceId, patientId);
    const body = JSON.stringify({
      recipient: message.recipient,
      subject: message.subject,
      body: `Body of ${message.subject}`,
    });
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      message.attempts = attempt;
      try {
        const response = await fetch(`${this.intakeUrl}/threads`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'idempotency-key': message.key,
          },
          body,
          signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
        });
        const text = await response.text();
        if (response.status >= 200 && response.status < 300) {
          const { threadId, messageId } = JSON.parse(text) as {
            threadId: string;
            messageId: string;
          };
          Object.assign(message, {
            outcome: 'accepted',
            threadId,
            messageId,
            replayed: response.headers.get('idempotent-replayed') === 'true',
            endedAt: Date.now(),
          });
          return;
        }
        const code = (() => {
          try {
            return (JSON.parse(text) as { code?: string }).code ?? '';
          } catch {
            return '';
          }
        })();
        message.failures.push(`${response.status}${code ? ` ${code}` : ''}`);
        const retryable =
          response.status >= 500 || (response.status === 409 && code === 'request-in-progress');
        if (!retryable) break;
      } catch (error) {
        // No answer (refused, reset, timed out): the message may or may not have been written.
        message.failures.push(describeError(error));
      }
      await sleep(Math.min(250 * 2 ** (attempt - 1), 4000));
    }
    message.outcome = 'failed';
    message.endedAt = Date.now();
  }
}
