import { isComplete, isOverdue, type PracticeFact, type ThreadView } from './thread-view.js';

/** What a thread's Admins are told beyond "it changed": kinds of their live feed. */
export type AdminAlert = 'overdue' | 'returned-to-queue';

/** Overdue as an Admin would find it in the group's Overdue filter (a listed thread). */
export const listedOverdue = (view: ThreadView): boolean => isComplete(view) && isOverdue(view);

/**
 * The alerts raised by folding `folded` into a view that was `wasOverdue`
 * before: the thread became overdue, or a silent assignee's return to the
 * queue took effect. A return overtaken by a newer assignment (arrived
 * first) is old news, and a repeated event folds nothing, so raises nothing.
 */
export function adminAlerts(
  wasOverdue: boolean,
  view: ThreadView,
  folded: readonly PracticeFact[],
): AdminAlert[] {
  if (!isComplete(view)) return [];
  const alerts: AdminAlert[] = [];
  if (!wasOverdue && listedOverdue(view)) alerts.push('overdue');
  const returned = folded.some(
    (fact) =>
      fact.kind === 'unassigned' &&
      fact.reason === 'assignee-silent' &&
      fact.threadVersion === view.assigneeVersion,
  );
  if (returned) alerts.push('returned-to-queue');
  return alerts;
}
