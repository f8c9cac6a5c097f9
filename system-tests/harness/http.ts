/**
 * The only way the system tests talk to the services: HTTP, as a client would.
 * `call` sends JSON (or a raw body when a test needs to send something that is
 * not JSON) and always answers; it never throws on an HTTP status.
 */
export interface Answer {
  status: number;
  contentType: string;
  headers: Headers;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: unknown;
}

export interface CallOptions {
  /** A bearer token; `null` sends no Authorization header. */
  token?: string | null;
  /** A literal Authorization header (wins over `token`). */
  authorization?: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is (with `contentType`, default application/json). */
  raw?: string | Uint8Array;
  contentType?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
  /**
   * False: send no Consistency-Token of the practice's earlier writes (a
   * test of the tokens themselves, or one that must see a service before
   * it caught up).
   */
  consistency?: boolean;
}

/**
 * The Consistency-Tokens of this run's writes, per practice (ADR 0018). Like
 * a client that remembers its writes, every call of a practice carries the
 * latest 16, so it is answered once the service has applied them: no test
 * polls or sleeps for another service to catch up.
 */
const written = new Map<string, string[]>();
const MAX_TOKENS = 16;

/** The tokens remembered so far (the setup hands them to the suites through the run file). */
export const writtenTokens = (): Record<string, string[]> => Object.fromEntries(written);

export function rememberTokens(tokens: Record<string, string[]> = {}): void {
  for (const [practiceId, list] of Object.entries(tokens)) written.set(practiceId, [...list]);
}

/** The practice a bearer token names (unverified: the services verify it). */
function practiceOf(bearer: string | undefined): string | undefined {
  try {
    const claims = JSON.parse(Buffer.from(bearer!.split('.')[1]!, 'base64url').toString());
    return typeof claims.practiceId === 'string' ? claims.practiceId : undefined;
  } catch {
    return undefined;
  }
}

/** The latest tokens of the practice an `authorization` header names, as a client carries them. */
export const consistencyHeaderFor = (authorization: string | undefined) => {
  const practiceId = practiceOf(authorization?.replace(/^Bearer /, ''));
  return practiceId ? consistencyHeader(practiceId) : undefined;
};

/** A practice's latest tokens as one header value, if it has any. */
export function consistencyHeader(practiceId: string): string | undefined {
  const list = written.get(practiceId);
  return list?.length ? list.slice(-MAX_TOKENS).join(',') : undefined;
}

export async function call(
  method: string,
  url: string,
  options: CallOptions = {},
): Promise<Answer> {
  const headers: Record<string, string> = {
    accept: 'application/json, application/problem+json',
    ...options.headers,
  };
  if (options.authorization !== undefined) headers.authorization = options.authorization;
  else if (options.token) headers.authorization = `Bearer ${options.token}`;
  const practiceId = practiceOf(options.token ?? undefined);
  const remembered = practiceId && options.consistency !== false && consistencyHeader(practiceId);
  if (remembered && !('consistency-token' in headers)) headers['consistency-token'] = remembered;
  let body: string | Uint8Array | undefined;
  if (options.raw !== undefined) {
    body = options.raw;
    headers['content-type'] = options.contentType ?? 'application/json';
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = options.contentType ?? 'application/json';
  }
  const response = await fetch(url, {
    method,
    headers,
    body,
    signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
  });
  const token = response.headers.get('consistency-token');
  if (token && practiceId && response.ok) {
    written.set(practiceId, [...(written.get(practiceId) ?? []), token].slice(-MAX_TOKENS));
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    headers: response.headers,
    text,
    json,
  };
}

export const codeOf = (answer: Answer): string | undefined => {
  const code = (answer.json as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
};

/** An RFC 9457 problem with the stable `code` every error of this system carries. */
export const isProblem = (answer: Answer): boolean =>
  answer.contentType.startsWith('application/problem+json') &&
  typeof codeOf(answer) === 'string' &&
  (answer.json as { status?: unknown }).status === answer.status;

/** `GET …` → `"401 token-expired"`, for failure messages. */
export const describeAnswer = (answer: Answer): string =>
  `${answer.status}${codeOf(answer) ? ` ${codeOf(answer)}` : ''}` +
  (isProblem(answer) || answer.status < 400 ? '' : ` (${answer.contentType || 'no content type'})`);

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One call, whose answer `accept` must take. It carries the practice's
 * Consistency-Tokens, so it sees every earlier write of the run (ADR 0018):
 * nothing to wait for.
 */
export async function answered(
  probe: () => Promise<Answer>,
  accept: (answer: Answer) => boolean,
  what: string,
): Promise<Answer> {
  const answer = await probe();
  if (accept(answer)) return answer;
  throw new Error(
    `expected ${what}; answer ${describeAnswer(answer)}: ${answer.text.slice(0, 500)}`,
  );
}

/**
 * A call tried again while the service says it has not reached the tokens
 * yet (503 `not-yet-consistent`, after its Retry-After), as a client does
 * with a service just started or a broker just back; bounded (default 30 s).
 */
export async function whenConsistent(
  timeoutMs: number | undefined,
  attempt: () => Promise<Answer>,
): Promise<Answer> {
  const deadline = Date.now() + (timeoutMs ?? 30_000);
  for (;;) {
    const answer = await attempt();
    if (answer.status !== 503 || codeOf(answer) !== 'not-yet-consistent') return answer;
    if (Date.now() >= deadline) return answer;
    await sleep(1000 * Number(answer.headers.get('retry-after') ?? 1));
  }
}

/**
 * Polls until `accept` takes an answer (bounded), for what no token covers:
 * a rebuild running, a deadline falling due, or records a test reads from
 * Kafka itself.
 */
export async function eventually(
  probe: () => Promise<Answer>,
  accept: (answer: Answer) => boolean,
  what: string,
  { timeoutMs = 20_000, intervalMs = 150 } = {},
): Promise<Answer> {
  const deadline = Date.now() + timeoutMs;
  let last: Answer | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (accept(last)) return last;
    } catch (error) {
      lastError = error;
    }
    await sleep(intervalMs);
  }
  const seen = last
    ? `last answer ${describeAnswer(last)}: ${last.text.slice(0, 500)}`
    : `last error ${String(lastError)}`;
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${seen})`);
}
