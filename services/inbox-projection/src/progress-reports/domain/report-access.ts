import { groupNotFound, groupReportNotAllowed, practiceReportNotAllowed } from './report-errors.js';

/** What deciding who may read a report needs to know of the caller, from the replicas. */
export interface ReportReader {
  memberId: string;
  /** Active in the directory (ADR 0006): a deactivated member has no rights. */
  active: boolean;
  /** Holds Settings > Messages > Practice Access. */
  practiceAccess: boolean;
}

/** A group's members as configured now (null: the group is unknown). */
export type ReportGroup = { members: readonly { memberId: string; privilege: string }[] } | null;

/**
 * A group's progress is its Admins' to track, and the Practice Access
 * holders'. Anyone else is refused alike whether the group exists or not;
 * a Practice Access holder is told when there is no such group (a deleted
 * group's figures stay in the practice-wide report).
 */
export function assertMayReadGroupReport(reader: ReportReader, group: ReportGroup): void {
  const admin = group?.members.some(
    (member) => member.memberId === reader.memberId && member.privilege === 'admin',
  );
  if (!reader.active || (!admin && !reader.practiceAccess)) throw groupReportNotAllowed();
  if (!group) throw groupNotFound();
}

/** The practice-wide progress is the Practice Access holders'. */
export function assertMayReadPracticeReport(reader: ReportReader): void {
  if (!reader.active || !reader.practiceAccess) throw practiceReportNotAllowed();
}
