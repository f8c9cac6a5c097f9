/** Rule errors of progress reports, with a stable code; the HTTP layer maps `kind` to a status. */
export class ReportError extends Error {
  constructor(
    readonly code: string,
    readonly kind: 'invalid' | 'forbidden' | 'not-found',
    message: string,
  ) {
    super(message);
    this.name = 'ReportError';
  }
}

export const invalidPeriod = (message: string) =>
  new ReportError('invalid-period', 'invalid', message);
/** The group's reports are its Admins' (and Practice Access holders'); anyone else learns nothing of it. */
export const groupReportNotAllowed = () =>
  new ReportError(
    'group-report-not-allowed',
    'forbidden',
    "Only the group's Admins, and members with the Practice Access privilege, may read its progress.",
  );
export const practiceReportNotAllowed = () =>
  new ReportError(
    'practice-report-not-allowed',
    'forbidden',
    'Only members with the Practice Access privilege may read the practice-wide progress.',
  );
/** Said only to those who may read every group's report: to anyone else an unknown group is refused alike. */
export const groupNotFound = () =>
  new ReportError('group-not-found', 'not-found', 'No such group.');
