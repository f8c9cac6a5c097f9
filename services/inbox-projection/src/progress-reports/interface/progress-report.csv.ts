import type { ActivityFigures, ProgressReport } from '../domain/progress-report.js';

/** One figure per row: `section,group_id,member_id,metric,value` (RFC 4180; ids and numbers only). */
export const CSV_HEADER = ['section', 'group_id', 'member_id', 'metric', 'value'] as const;

type Row = [string, string | null, string | null, string, number | string | null];

function cell(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function activityRows(section: string, groupId: string | null, figures: ActivityFigures): Row[] {
  return [
    [section, groupId, null, 'messages_received', figures.messagesReceived],
    [section, groupId, null, 'threads_opened', figures.threadsOpened],
    [section, groupId, null, 'replies', figures.replies],
    [section, groupId, null, 'first_response_threads', figures.firstResponse.threads],
    [section, groupId, null, 'first_response_p50_ms', figures.firstResponse.p50Ms],
    [section, groupId, null, 'first_response_p90_ms', figures.firstResponse.p90Ms],
    [section, groupId, null, 'target_replies', figures.withinTarget?.replies ?? null],
    [section, groupId, null, 'target_met', figures.withinTarget?.met ?? null],
    [section, groupId, null, 'target_met_share', figures.withinTarget?.share ?? null],
    [section, groupId, null, 'reassignments', figures.reassignments],
  ];
}

/** The report as CSV, for spreadsheets: the same figures as the JSON, one per row. */
export function progressReportCsv(report: ProgressReport): string {
  const groupId = report.scope.kind === 'group' ? report.scope.groupId : null;
  const { backlog } = report;
  const rows: Row[] = [
    ['period', groupId, null, 'from', report.period.from],
    ['period', groupId, null, 'to', report.period.to],
    ...activityRows('activity', groupId, report),
    ['backlog', groupId, null, 'as_of', backlog.asOf],
    ['backlog', groupId, null, 'not_replied', backlog.notReplied],
    ['backlog', groupId, null, 'replied', backlog.replied],
    ['backlog', groupId, null, 'trash', backlog.trash],
    ['backlog', groupId, null, 'unassigned', backlog.unassigned],
    ...Object.entries(backlog.notRepliedByAge).map(([bucket, count]): Row => [
      'backlog_age',
      groupId,
      null,
      bucket,
      count,
    ]),
    ...report.assignees.flatMap((a): Row[] => [
      ['assignee', groupId, a.memberId, 'assigned', a.assigned],
      ['assignee', groupId, a.memberId, 'replies', a.replies],
      ['assignee', groupId, a.memberId, 'open_now', a.openNow],
    ]),
    ...(report.groups ?? []).flatMap((g): Row[] => [
      ...activityRows('group', g.groupId, g),
      ['group', g.groupId, null, 'not_replied_now', g.notRepliedNow],
    ]),
  ];
  return [CSV_HEADER, ...rows].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}
