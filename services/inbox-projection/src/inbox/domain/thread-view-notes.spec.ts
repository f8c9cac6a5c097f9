import { applyNote, emptyView, type NoteView } from './thread-view.js';

const note = (noteId: string, addedAt: string): NoteView => ({
  noteId,
  authorMemberId: 'mbr_admin',
  body: `FAKE NOTE ${noteId}`,
  addedAt,
});

const first = note('nte_b', '2026-12-03T10:00:00.000Z');
const second = note('nte_a', '2026-12-03T10:05:00.000Z');

describe('internal notes in the thread view', () => {
  it('keeps each note once, however often it is delivered', () => {
    const view = emptyView('prc_1', 'thr_1', 'pat_1');
    expect(applyNote(view, first)).toBe(true);
    expect(applyNote(view, { ...first })).toBe(false);
    expect(view.notes).toEqual([first]);
    expect(view.timeline).toHaveLength(1);
  });

  it('orders notes by when they were added, whatever order they arrive in', () => {
    const inOrder = emptyView('prc_1', 'thr_1', 'pat_1');
    const reversed = emptyView('prc_1', 'thr_1', 'pat_1');
    [first, second].forEach((n) => applyNote(inOrder, n));
    [second, first].forEach((n) => applyNote(reversed, n));
    expect(reversed).toEqual(inOrder);
    expect(inOrder.notes.map((n) => n.noteId)).toEqual(['nte_b', 'nte_a']);
  });

  it("adds a step naming the author and the note's id, never its text", () => {
    const view = emptyView('prc_1', 'thr_1', 'pat_1');
    applyNote(view, first);
    expect(view.timeline).toEqual([
      {
        key: 'n:nte_b',
        kind: 'note-added',
        at: first.addedAt,
        actorKind: 'member',
        actorId: 'mbr_admin',
        details: { noteId: 'nte_b' },
      },
    ]);
    expect(JSON.stringify(view.timeline)).not.toContain('FAKE NOTE');
  });

  it("changes nothing else: no version, no status, nothing of the patient's", () => {
    const view = emptyView('prc_1', 'thr_1', 'pat_1');
    applyNote(view, first);
    expect({ ...view, notes: [], timeline: [] }).toEqual(emptyView('prc_1', 'thr_1', 'pat_1'));
  });
});
