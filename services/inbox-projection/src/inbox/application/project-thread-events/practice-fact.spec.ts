/**
 * The events routing-assignment publishes, as their golden wire records hold
 * them (libs/contracts/fixtures), folded into a thread view: the versions
 * that replace older ones fold like them, and the older ones still fold.
 */
import type { EventEnvelope } from '@gm/contracts';
import { readFileSync } from 'node:fs';
import { applyPracticeFact, emptyView, type ThreadView } from '../../domain/thread-view.js';
import { THREAD_EVENT_TYPES } from './inbox-projector.js';
import { practiceFact } from './practice-fact.js';

const fixtures = new URL('../../../../../../libs/contracts/fixtures/', import.meta.url);

/** The golden record of a type, as an envelope (only type and data matter to a fold). */
function golden(type: string): EventEnvelope {
  const { data } = JSON.parse(readFileSync(new URL(`${type}.json`, fixtures), 'utf8')) as {
    data: unknown;
  };
  return { type, data } as EventEnvelope;
}

function folded(...types: string[]): ThreadView {
  const view = emptyView('prc_demo', 'thr_ruth_billing_1', 'pat_ruth');
  for (const type of types) applyPracticeFact(view, practiceFact(golden(type)));
  return view;
}

describe('practice facts from the published events', () => {
  it("folds MessageAssigned v2 like v1; the system's assignment has no member as its actor", () => {
    const v2 = folded('gm.message.assigned.v2');
    expect(v2.assigneeMemberId).toBe('mbr_bob');
    expect(v2.timeline[0]).toMatchObject({
      kind: 'assigned',
      actorKind: 'system',
      actorId: null,
      details: { assigneeMemberId: 'mbr_bob', how: 'automatic' },
    });
    const v1 = folded('gm.message.assigned.v1');
    expect(v1.timeline[0]).toMatchObject({
      kind: 'assigned',
      actorKind: 'member',
      details: { how: 'manual' },
    });
  });

  it('folds MessageUnassigned v2 like v1, with its new reason', () => {
    const view = folded('gm.message.assigned.v2', 'gm.message.unassigned.v2');
    expect(view.assigneeMemberId).toBeNull();
    expect(view.timeline.at(-1)).toMatchObject({
      kind: 'unassigned',
      details: { previousAssigneeMemberId: 'mbr_bob', reason: 'assignee-silent' },
    });
    expect(folded('gm.message.unassigned.v1').timeline[0]!.kind).toBe('unassigned');
  });

  it('folds MessageResponseOverdue and AcknowledgementSent', () => {
    const view = folded('gm.message.response-overdue.v1', 'gm.reply.acknowledgement-sent.v1');
    expect(view.overdue).toBe(true);
    expect(view.acknowledgements).toEqual([
      expect.objectContaining({
        acknowledgementId: 'ack_ruth_billing_1',
        messageId: 'msg_ruth_billing_1',
        senderDisplayName: 'Billing',
        when: 'outside-business-hours',
      }),
    ]);
    expect(view.replies).toEqual([]);
    expect(view.timeline.map((s) => s.kind)).toEqual(['overdue', 'acknowledged']);
  });

  it('consumes every thread event type routing-assignment publishes, old versions included', () => {
    for (const type of [
      'gm.message.assigned.v1',
      'gm.message.assigned.v2',
      'gm.message.unassigned.v1',
      'gm.message.unassigned.v2',
      'gm.message.response-overdue.v1',
      'gm.reply.acknowledgement-sent.v1',
    ]) {
      expect(THREAD_EVENT_TYPES.has(type)).toBe(true);
    }
  });
});
