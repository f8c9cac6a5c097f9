import type { ThreadsRepository } from '../../infrastructure/threads.repository.js';
import type { ThreadChanges } from '../thread-changes.js';
import { FireDueDeadlinesCommand } from './fire-due-deadlines.command.js';
import { FireDueDeadlinesCommandHandler } from './fire-due-deadlines.command-handler.js';

const now = '2026-12-03T10:00:00.000Z';
const due = ['thr_broken', 'thr_a', 'thr_b'].map((threadId) => ({
  practiceId: 'prc_1',
  threadId,
  dueAt: '2026-12-03T09:59:59.000Z',
}));

describe('a round of due deadlines', () => {
  it('fires the others past a thread that cannot fire, and says which one failed', async () => {
    const applied: string[] = [];
    const threads = { due: () => Promise.resolve(due) } as unknown as ThreadsRepository;
    const changes = {
      apply: (_practiceId: string, threadId: string) => {
        if (threadId === 'thr_broken') return Promise.reject(new Error('cannot be published'));
        applied.push(threadId);
        return Promise.resolve(null);
      },
    } as unknown as ThreadChanges;

    const round = await new FireDueDeadlinesCommandHandler(threads, changes).execute(
      new FireDueDeadlinesCommand(now, 200),
    );

    expect(round).toEqual({ taken: 3, failed: ['thr_broken'] });
    expect(applied.sort()).toEqual(['thr_a', 'thr_b']);
  });
});
