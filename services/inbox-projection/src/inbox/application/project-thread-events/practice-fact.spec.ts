/**
 * The events routing-assignment publishes, as their golden wire records hold
 * them (libs/contracts/fixtures), folded into a thread view: the versions
 * that replace older ones fold like them, and the older ones still fold.
 */
import type { EventEnvelope } from '@gm/contracts';
import { readFileSync } from 'node:fs';
import { adminAlerts } from '../../domain/admin-alerts.js';
import { entryFor, seesTimeline } from '../../domain/inbox-entry.js';
import {
  applyAudience,
  applyMessage,
  applyPracticeFact,
  emptyView,
  type ThreadView,
} from '../../domain/thread-view.js';
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

/** The golden record of a type with some of its data replaced. */
function goldenWith(type: string, fields: Record<string, unknown>): EventEnvelope {
  const envelope = golden(type);
  return { ...envelope, data: { ...(envelope.data as object), ...fields } } as EventEnvelope;
}

describe('values of open enums this build does not know (ADR 0023)', () => {
  it('keeps an unknown how, unassign reason, restore reason and acknowledgement when as they came', () => {
    const view = emptyView('prc_demo', 'thr_ruth_billing_1', 'pat_ruth');
    for (const envelope of [
      goldenWith('gm.message.assigned.v2', { how: 'delegated', threadVersion: 2 }),
      goldenWith('gm.message.unassigned.v2', { reason: 'assignee-on-leave', threadVersion: 3 }),
      goldenWith('gm.reply.acknowledgement-sent.v1', { when: 'weekends', threadVersion: 4 }),
      goldenWith('gm.message.restored.v2', { reason: 'admin-bulk-restore', threadVersion: 5 }),
    ]) {
      expect(applyPracticeFact(view, practiceFact(envelope))).toBe(true);
    }
    const details = Object.fromEntries(view.timeline.map((s) => [s.kind, s.details]));
    expect(details.assigned).toMatchObject({ how: 'delegated' });
    expect(details.unassigned).toMatchObject({ reason: 'assignee-on-leave' });
    expect(details.acknowledged).toMatchObject({ when: 'weekends' });
    expect(details.restored).toMatchObject({ reason: 'admin-bulk-restore' });
    expect(view.acknowledgements[0]!.when).toBe('weekends');
  });

  it('raises no return-to-queue alert for an unassign reason it does not know', () => {
    const view = emptyView('prc_demo', 'thr_ruth_billing_1', 'pat_ruth');
    applyMessage(view, {
      messageId: 'msg_1',
      patientId: 'pat_ruth',
      recipientKind: 'group',
      groupId: 'grp_billing',
      memberId: null,
      subject: 'FAKE SUBJECT',
      body: 'FAKE BODY',
      followUp: false,
      threadVersion: 1,
      sentAt: '2025-03-07T14:00:00.000Z',
    });
    const facts = [
      practiceFact(golden('gm.message.routed.v1')),
      practiceFact(golden('gm.message.assigned.v2')),
      practiceFact(goldenWith('gm.message.unassigned.v2', { reason: 'assignee-on-leave' })),
    ];
    for (const fact of facts) applyPracticeFact(view, fact);
    expect(view.assigneeMemberId).toBeNull();
    expect(adminAlerts(false, view, facts)).toEqual([]);
  });

  it('gives a member with an audience reason it does not know the thread, and nothing more', () => {
    const view = emptyView('prc_demo', 'thr_ruth_billing_1', 'pat_ruth');
    const audience = golden('gm.thread.audience-changed.v2').data as {
      audienceVersion: number;
      members: { memberId: string; reason: string }[];
    };
    applyAudience(view, {
      audienceVersion: audience.audienceVersion,
      members: [...audience.members, { memberId: 'mbr_sup', reason: 'supervisor' }],
    });
    const member = view.audience.find((m) => m.memberId === 'mbr_sup')!;
    expect(member.reason).toBe('supervisor');
    expect(seesTimeline(member.reason)).toBe(false);
    expect(entryFor(view, member.memberId, member.reason, 'Ruth', 0)).toMatchObject({
      memberId: 'mbr_sup',
      audience: 'supervisor',
    });
  });
});
