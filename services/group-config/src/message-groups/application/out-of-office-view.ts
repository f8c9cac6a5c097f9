import { currentPeriods, type OutOfOfficePeriod } from '../domain/out-of-office.js';
import type { StoredOutOfOffice } from '../infrastructure/out-of-office.repository.js';

/** A member's current and future periods, ordered by start; never set: none, at version 0. */
export interface OutOfOfficeView {
  memberId: string;
  periods: OutOfOfficePeriod[];
  version: number;
}

export const outOfOfficeView = (
  memberId: string,
  stored: StoredOutOfOffice | null,
  now: Date,
): OutOfOfficeView => ({
  memberId,
  periods: stored ? currentPeriods(stored.periods, now) : [],
  version: stored?.version ?? 0,
});
