import type { Bucket } from './inbox-entry.js';
import { invalidCursor } from './inbox-errors.js';

/**
 * A member's listing: all of a group's threads they see, one bucket of them,
 * or those past the group's first-response target.
 */
export type MemberFilter = 'all' | Bucket | 'overdue';

export interface PageRequest {
  cursor?: string;
  limit: number;
  /** Search in subjects and names. */
  q?: string;
}

/** Opaque cursors: the sort key of the last item returned, base64url. */
export const encodeCursor = (sortKey: string): string =>
  Buffer.from(sortKey, 'utf8').toString('base64url');

export function decodeCursor(cursor: string | undefined): string | null {
  if (cursor === undefined || cursor === '') return null;
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!decoded.includes('|') || encodeCursor(decoded) !== cursor) throw invalidCursor();
  return decoded;
}

/** Newest first, strictly after the cursor, `limit` items and the next cursor. */
export function pageOf<T>(
  items: T[],
  sortKey: (item: T) => string,
  cursor: string | null,
  limit: number,
): { items: T[]; nextCursor: string | null } {
  const sorted = items
    .filter((item) => cursor === null || sortKey(item) < cursor)
    .sort((a, b) => (sortKey(a) < sortKey(b) ? 1 : sortKey(a) > sortKey(b) ? -1 : 0));
  const page = sorted.slice(0, limit);
  const more = sorted.length > limit;
  return { items: page, nextCursor: more ? encodeCursor(sortKey(page[page.length - 1]!)) : null };
}

/** Case- and accent-insensitive "contains". */
export function matches(text: string, query: string): boolean {
  const fold = (s: string) =>
    s.normalize('NFKD').replace(/\p{M}/gu, '').toLocaleLowerCase('en').trim();
  return fold(text).includes(fold(query));
}
