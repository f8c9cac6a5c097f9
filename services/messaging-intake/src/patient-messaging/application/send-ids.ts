import { createHash, randomUUID } from 'node:crypto';

/**
 * Ids of a new thread or message. With an Idempotency-Key they are derived
 * from it (and the patient, practice and thread), so a retry that arrives
 * after the first attempt wrote to MongoDB but died before recording its
 * response in Redis targets the same thread or message, and finds it written
 * instead of writing a second one (ADR 0010).
 */
const derived = (purpose: string, ...parts: string[]) =>
  createHash('sha256')
    .update([purpose, ...parts].map(encodeURIComponent).join('|'))
    .digest('hex')
    .slice(0, 32);

const random = () => randomUUID().replace(/-/g, '');

interface Sender {
  practiceId: string;
  patientId: string;
}

export const newThreadId = ({ practiceId, patientId }: Sender, key: string | null) =>
  `thr_${key ? derived('thread', practiceId, patientId, key) : random()}`;

export const newMessageId = (
  { practiceId, patientId }: Sender,
  threadId: string,
  key: string | null,
) => `msg_${key ? derived('message', practiceId, patientId, threadId, key) : random()}`;
