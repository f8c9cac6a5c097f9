/**
 * The read model's answers as the suites see them (inbox-projection's
 * members' inbox and patients' mailbox), and its Server-Sent Events feed,
 * which `call` cannot read: the answer never ends.
 */
import { consistencyHeaderFor, type Answer } from './http.js';

export interface InboxGroups {
  groups: {
    groupId: string;
    name: string;
    recipientMode: string;
    admin: boolean;
    counts: { notReplied: number; replied: number; trash: number };
    unread: number;
  }[];
  direct: { counts: { notReplied: number; replied: number; trash: number }; unread: number };
}

export interface InboxListing {
  threads: {
    threadId: string;
    subject: string;
    patient: { patientId: string; displayName: string };
    status: string;
    trashed: boolean;
    assigneeMemberId: string | null;
  }[];
  nextCursor: string | null;
}

export interface MemberThread {
  threadId: string;
  groupId: string | null;
  routing: string;
  admin: boolean;
  assigneeMemberId: string | null;
  version: number;
  timeline: unknown;
}

export interface Mailbox {
  threads: { threadId: string; groupName: string; replies: number; unreadReplies: number }[];
  nextCursor: string | null;
}

export interface MailboxThread {
  threadId: string;
  groupName: string;
  replies: { replyId: string; from: string }[];
}

/** One event of a feed: its `event:` type and parsed `data:`. */
export interface FeedEvent {
  type: string;
  data: unknown;
}

export interface Feed {
  /** The answer's status line and headers; `text`/`json` only for a refusal. */
  answer: Answer;
  /** Events received so far (a 2xx feed goes on collecting until `close`). */
  events: FeedEvent[];
  /** When the service ended the stream (`performance.now()`), if it did. */
  endedAt?: number;
  close(): void;
}

/**
 * Opens `GET url` as an event stream with the given Authorization header. A
 * refusal is read whole (a problem); a 2xx answer is left open and parsed
 * into `events` as they arrive.
 */
export async function openFeed(url: string, authorization: string | undefined): Promise<Feed> {
  const abort = new AbortController();
  const headers: Record<string, string> = {
    accept: 'text/event-stream, application/problem+json',
  };
  if (authorization !== undefined) headers.authorization = authorization;
  // Like every call: the practice's earlier writes must have reached the feed's guard.
  const tokens = consistencyHeaderFor(authorization);
  if (tokens) headers['consistency-token'] = tokens;
  const timer = setTimeout(() => abort.abort(), 15_000);
  const response = await fetch(url, { headers, signal: abort.signal });
  clearTimeout(timer);
  const contentType = response.headers.get('content-type') ?? '';
  const events: FeedEvent[] = [];
  const close = () => abort.abort();
  if (response.status >= 300 || !response.body) {
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return {
      answer: { status: response.status, contentType, headers: response.headers, text, json },
      events,
      close,
    };
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const feed: Feed = {
    answer: {
      status: response.status,
      contentType,
      headers: response.headers,
      text: '',
      json: undefined,
    },
    events,
    close,
  };
  void (async () => {
    let buffered = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          feed.endedAt = performance.now();
          return;
        }
        buffered += value;
        let end: number;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const block = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          let type = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) type = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
          }
          let parsed: unknown = data.join('\n');
          try {
            parsed = JSON.parse(parsed as string);
          } catch {
            // kept as text
          }
          events.push({ type, data: parsed });
        }
      }
    } catch {
      // closed
    }
  })();
  return feed;
}
