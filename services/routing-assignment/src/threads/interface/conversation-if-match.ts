import { ApiHeader } from '@nestjs/swagger';
import {
  CONVERSATION_VERSION_PATTERN,
  parseConversationVersion,
  type ConversationVersion,
} from '@gm/contracts';
import { ProblemException } from '@gm/service-kit';

/** A reply's `If-Match`: the conversation version its writer saw; undefined when absent. */
export function conversationIfMatch(header: string | undefined): ConversationVersion | undefined {
  if (header === undefined) return undefined;
  const seen = parseConversationVersion(header);
  if (!seen) {
    throw new ProblemException(
      400,
      'invalid-if-match',
      'If-Match must be the conversationVersion the inbox gave with the thread, e.g. "m3r1"',
    );
  }
  return seen;
}

export const ApiConversationIfMatch = () =>
  ApiHeader({
    name: 'If-Match',
    required: false,
    description:
      "The thread's `conversationVersion` from `GET /inbox/threads/:threadId` (inbox-projection). Every client that shows the thread before the reply is written should send it, above all where several members work one group's queue: the reply is refused (409 `thread-changed`, with the patient messages and replies that landed since, ids only) if the patient wrote again or someone else replied meanwhile, and nothing is sent. Without it, the reply goes regardless. 400 `invalid-if-match` if it is not a conversation version.",
    schema: { type: 'string', pattern: CONVERSATION_VERSION_PATTERN },
  });
