import { withoutId, type ThreadViewDocument } from './projection-store.js';

describe('a thread view stored before targets and acknowledgements existed', () => {
  it('reads as not overdue, with no acknowledgements', () => {
    const stored = {
      _id: 'thr_1',
      practiceId: 'prc_1',
      threadId: 'thr_1',
      patientId: 'pat_1',
      replies: [],
      messages: [],
      timeline: [],
    } as unknown as ThreadViewDocument;
    expect(withoutId(stored)).toMatchObject({
      overdue: false,
      overdueVersion: 0,
      acknowledgements: [],
      audience: [],
      audienceVersion: 0,
    });
    expect(withoutId(stored)).not.toHaveProperty('_id');
  });
});
