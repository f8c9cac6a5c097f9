import { buildEnvelope, PracticeChangedV1 } from '@gm/contracts';
import { outboxForInsert, withOutbox, type PendingEvent } from './outbox-writes.js';

function practiceChanged(version: number): PendingEvent {
  const data = {
    practiceId: 'prc_1',
    name: 'Clinic',
    plan: 'paid' as const,
    version,
    changedAt: '2026-01-01T00:00:00.000Z',
  };
  const envelope = buildEnvelope(PracticeChangedV1, data, {
    id: `evt-${version}`,
    source: '/tests',
    time: data.changedAt,
    practiceId: 'prc_1',
    correlationId: 'corr-1',
  });
  return { definition: PracticeChangedV1, envelope };
}

describe('outbox writes', () => {
  it('puts the wire form of each event on an inserted document', () => {
    const fields = outboxForInsert([practiceChanged(1)]);
    expect(fields._outboxPending).toBe(true);
    expect(fields._outboxSeq).toBe(1);
    expect(fields._outbox).toEqual([
      expect.objectContaining({
        id: 'evt-1',
        type: 'gm.directory.practice-changed.v1',
        topic: 'gm.directory.practices',
        key: 'prc_1',
        headers: expect.objectContaining({ ce_id: 'evt-1', ce_practiceid: 'prc_1' }),
      }),
    ]);
    expect(JSON.parse(fields._outbox[0]!.value)).toMatchObject({ version: 1, plan: 'paid' });
  });

  it('marks an inserted document without events as having nothing pending', () => {
    expect(outboxForInsert([])).toEqual({ _outbox: [], _outboxPending: false, _outboxSeq: 1 });
  });

  it('merges the events into the same single-document update as the state change', () => {
    const update = withOutbox({ $set: { name: 'New' }, $inc: { version: 1 } }, [
      practiceChanged(2),
      practiceChanged(3),
    ]);
    expect(update.$set).toEqual({ name: 'New', _outboxPending: true });
    expect(update.$inc).toEqual({ version: 1, _outboxSeq: 1 });
    expect(
      (update.$push as unknown as { _outbox: { $each: { id: string }[] } })._outbox.$each.map(
        (r) => r.id,
      ),
    ).toEqual(['evt-2', 'evt-3']);
  });

  it('leaves an update without events untouched', () => {
    const update = { $set: { name: 'Same' } };
    expect(withOutbox(update, [])).toBe(update);
  });
});
