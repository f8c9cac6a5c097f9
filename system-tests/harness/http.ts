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
 * Polls until `accept` takes an answer (bounded): the services follow each
 * other through Kafka, so a write shows elsewhere after a moment.
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
