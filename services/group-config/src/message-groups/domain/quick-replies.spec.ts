import type { GroupMember } from './message-group.js';
import { MessageGroupRuleViolation } from './message-group-errors.js';
import {
  assertAtMostMaxQuickReplies,
  assertKnownQuickReplies,
  assertQuickReplyIdsOnce,
  assertQuickReplyText,
  assertQuickReplyTextLength,
  assertUniqueTitles,
  checkQuickReplies,
  MAX_QUICK_REPLIES,
  mayChangeQuickReplies,
  mayReadQuickReplies,
  quickReplyOf,
  quickReplyTitle,
  sameQuickReplies,
  withQuickReplyIds,
  type QuickReply,
  type QuickReplyDraft,
} from './quick-replies.js';

/** A reply's limit, as the application passes it from @gm/contracts (ReplySent). */
const LIMITS = { maxTextLength: 20_000 };

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof MessageGroupRuleViolation) {
      expect(error.kind).toBe('invalid');
      return error.code;
    }
    throw error;
  }
  throw new Error('expected a rule violation');
}

const draft = (title: string, text = `Text of ${title}`, quickReplyId?: string): QuickReplyDraft =>
  quickReplyId === undefined ? { title, text } : { quickReplyId, title, text };

const STORED: QuickReply[] = [
  { quickReplyId: 'qr_a', title: 'Statement corrected', text: 'Your statement is corrected.' },
  { quickReplyId: 'qr_b', title: 'Call us', text: 'Please call the office.' },
];

describe('who sees and manages a group’s quick replies', () => {
  const group = {
    members: [
      { memberId: 'm_admin', privilege: 'admin' },
      { memberId: 'm_user', privilege: 'user' },
    ] as GroupMember[],
  };

  it('its members read them; only its Admins change them', () => {
    expect(mayReadQuickReplies(group, 'm_admin')).toBe(true);
    expect(mayReadQuickReplies(group, 'm_user')).toBe(true);
    expect(mayReadQuickReplies(group, 'm_other')).toBe(false);
    expect(mayChangeQuickReplies(group, 'm_admin')).toBe(true);
    expect(mayChangeQuickReplies(group, 'm_user')).toBe(false);
    expect(mayChangeQuickReplies(group, 'm_other')).toBe(false);
  });
});

describe('at most 100 quick replies', () => {
  it.each([0, 1, MAX_QUICK_REPLIES])('takes %d', (count) => {
    expect(() =>
      assertAtMostMaxQuickReplies(Array.from({ length: count }, (_, i) => draft(`T${i}`))),
    ).not.toThrow();
  });

  it('refuses 101 as too-many-quick-replies', () => {
    const drafts = Array.from({ length: MAX_QUICK_REPLIES + 1 }, (_, i) => draft(`T${i}`));
    expect(codeOf(() => assertAtMostMaxQuickReplies(drafts))).toBe('too-many-quick-replies');
  });
});

describe('a title', () => {
  it.each([
    ['a plain title', 'Statement corrected', 'Statement corrected'],
    ['trimmed', '  Call us \t', 'Call us'],
    ['100 characters', 'x'.repeat(100), 'x'.repeat(100)],
    ['100 emoji (counted as characters, not UTF-16 units)', '😀'.repeat(100), '😀'.repeat(100)],
    ['100 characters within blanks', `  ${'y'.repeat(100)}  `, 'y'.repeat(100)],
    ['combining marks, kept as written', 'Cafe\u0301', 'Cafe\u0301'],
    ['a zero-width space inside', 'Zero\u200bwidth', 'Zero\u200bwidth'],
  ])('takes %s', (_label, raw, stored) => {
    expect(quickReplyTitle(raw)).toBe(stored);
  });

  it.each([
    ['empty', ''],
    ['blanks only', ' \u00a0\t '],
    ['invisible characters only', '\u200b\ufeff\u200d'],
    ['101 characters', 'x'.repeat(101)],
    ['101 emoji', '😀'.repeat(101)],
    ['a line break', 'Call\nus'],
    ['a tab inside', 'Call\tus'],
    ['a C0 control', 'Call\u0007us'],
    ['DEL', 'Call\u007fus'],
    ['a C1 control', 'Call\u0085us'],
    ['a right-to-left override', 'Invoice \u202egnp.exe'],
    ['a bidirectional isolate', 'Call \u2066us'],
  ])('refuses %s as invalid-quick-reply-title', (_label, raw) => {
    expect(codeOf(() => quickReplyTitle(raw))).toBe('invalid-quick-reply-title');
  });
});

describe('a text, as a reply', () => {
  it.each([
    ['one character', 'x'],
    ['line breaks and tabs', 'Dear patient,\r\n\tyour statement is corrected.\n'],
    ['surrounding blanks (kept)', '  Hello  '],
    ['a right-to-left override (a reply takes it)', 'Invoice \u202egnp'],
    ['a C1 control (a reply takes it)', 'Call\u0085us'],
  ])('takes %s', (_label, text) => {
    expect(() => assertQuickReplyText(text)).not.toThrow();
  });

  it.each([
    ['empty', ''],
    ['blanks and line breaks only', ' \n\t\r\u00a0'],
    ['a C0 control', 'Bell\u0007'],
    ['a vertical tab', 'a\u000bb'],
    ['a form feed', 'a\u000cb'],
    ['an escape', 'a\u001bb'],
    ['DEL', 'a\u007fb'],
  ])('refuses %s as invalid-quick-reply-text', (_label, text) => {
    expect(codeOf(() => assertQuickReplyText(text))).toBe('invalid-quick-reply-text');
  });

  it.each([
    ['20,000 characters', 'x'.repeat(20_000)],
    ['20,000 emoji (code points, not UTF-16 units)', '😀'.repeat(20_000)],
  ])('takes %s', (_label, text) => {
    expect(() => assertQuickReplyTextLength(text, LIMITS)).not.toThrow();
  });

  it('refuses 20,001 characters as quick-reply-too-long', () => {
    expect(codeOf(() => assertQuickReplyTextLength('x'.repeat(20_001), LIMITS))).toBe(
      'quick-reply-too-long',
    );
    expect(codeOf(() => assertQuickReplyTextLength('😀'.repeat(20_001), LIMITS))).toBe(
      'quick-reply-too-long',
    );
  });
});

describe('titles unique in the group', () => {
  it('takes different titles', () => {
    expect(() => assertUniqueTitles(['Call us', 'Call us back', 'Statement'])).not.toThrow();
  });

  it.each([
    ['the same title', 'Call us', 'Call us'],
    ['another case', 'Call us', 'CALL US'],
    ['other spaces', 'Call us', 'Call   us'],
    ['an invisible character', 'Call us', 'Ca\u200bll us'],
  ])('refuses %s as duplicate-quick-reply-title', (_label, a, b) => {
    expect(codeOf(() => assertUniqueTitles([a, 'Other', b]))).toBe('duplicate-quick-reply-title');
  });
});

describe('ids', () => {
  it('a template is sent at most once', () => {
    expect(() =>
      assertQuickReplyIdsOnce([draft('A', 'a', 'qr_a'), draft('B'), draft('C', 'c', 'qr_b')]),
    ).not.toThrow();
    expect(
      codeOf(() => assertQuickReplyIdsOnce([draft('A', 'a', 'qr_a'), draft('B', 'b', 'qr_a')])),
    ).toBe('duplicate-quick-reply-id');
  });

  it('an id sent is one of the group’s templates', () => {
    expect(() =>
      assertKnownQuickReplies([draft('A', 'a', 'qr_b'), draft('New')], STORED),
    ).not.toThrow();
    expect(codeOf(() => assertKnownQuickReplies([draft('A', 'a', 'qr_zzz')], STORED))).toBe(
      'unknown-quick-reply',
    );
    // A group that never set any knows no id.
    expect(codeOf(() => assertKnownQuickReplies([draft('A', 'a', 'qr_a')], []))).toBe(
      'unknown-quick-reply',
    );
  });

  const ids = () => {
    let n = 0;
    return () => `qr_new${++n}`;
  };

  it('a template sent with its id keeps it, changed or moved; a new one gets a new id', () => {
    const checked = [
      draft('Call us now', 'Please call today.', 'qr_b'),
      draft('New one', 'Brand new.'),
      draft('Statement corrected', 'Your statement is corrected.', 'qr_a'),
    ];
    expect(withQuickReplyIds(STORED, checked, ids())).toEqual([
      { quickReplyId: 'qr_b', title: 'Call us now', text: 'Please call today.' },
      { quickReplyId: 'qr_new1', title: 'New one', text: 'Brand new.' },
      {
        quickReplyId: 'qr_a',
        title: 'Statement corrected',
        text: 'Your statement is corrected.',
      },
    ]);
  });

  it('a template sent again without its id, the same title and text, keeps its id', () => {
    const again = STORED.map(({ title, text }) => draft(title, text));
    expect(withQuickReplyIds(STORED, again, ids())).toEqual(STORED);
    // Another text is another template.
    expect(
      withQuickReplyIds(STORED, [draft('Call us', 'Please call us.')], ids())[0]!.quickReplyId,
    ).toBe('qr_new1');
  });

  it('not if another template of the list is sent with that id', () => {
    const checked = [
      draft('Renamed', 'Your statement is corrected.', 'qr_a'),
      draft('Statement corrected', 'Your statement is corrected.'),
    ];
    expect(withQuickReplyIds(STORED, checked, ids()).map((q) => q.quickReplyId)).toEqual([
      'qr_a',
      'qr_new1',
    ]);
  });
});

describe('checking a whole list', () => {
  it('answers the templates as stored: titles trimmed, texts as written, the order kept', () => {
    expect(
      checkQuickReplies(
        [draft('  Call us ', ' Please call. ', 'qr_b'), draft('Statement', 'Corrected.')],
        STORED,
        LIMITS,
      ),
    ).toEqual([
      { quickReplyId: 'qr_b', title: 'Call us', text: ' Please call. ' },
      { title: 'Statement', text: 'Corrected.' },
    ]);
    expect(checkQuickReplies([], STORED, LIMITS)).toEqual([]);
  });

  it('compares titles as stored (trimmed)', () => {
    expect(
      codeOf(() => checkQuickReplies([draft('Call us'), draft(' call us ')], [], LIMITS)),
    ).toBe('duplicate-quick-reply-title');
  });

  it.each([
    [
      'the count before anything else',
      Array.from({ length: 101 }, () => draft('')),
      'too-many-quick-replies',
    ],
    ['a bad title', [draft('Fine'), draft('\u0000')], 'invalid-quick-reply-title'],
    ['a blank text', [draft('Fine', '   ')], 'invalid-quick-reply-text'],
    ['a long text', [draft('Fine', 'x'.repeat(20_001))], 'quick-reply-too-long'],
    ['an id twice', [draft('A', 'a', 'qr_a'), draft('B', 'b', 'qr_a')], 'duplicate-quick-reply-id'],
    ['an unknown id', [draft('A', 'a', 'qr_gone')], 'unknown-quick-reply'],
    ['a title twice', [draft('Same'), draft('SAME')], 'duplicate-quick-reply-title'],
  ])('refuses %s', (_label, drafts, code) => {
    expect(codeOf(() => checkQuickReplies(drafts, STORED, LIMITS))).toBe(code);
  });

  it('takes the limit it is given (the wire’s, ReplySent’s)', () => {
    expect(codeOf(() => checkQuickReplies([draft('A', 'abc')], [], { maxTextLength: 2 }))).toBe(
      'quick-reply-too-long',
    );
  });
});

describe('comparing lists', () => {
  it('the same templates, ids and order are the same; anything else is a change', () => {
    const copy = STORED.map((q) => ({ ...q, extra: 1 }) as QuickReply);
    expect(sameQuickReplies(STORED, copy)).toBe(true);
    expect(sameQuickReplies([], [])).toBe(true);
    expect(sameQuickReplies(STORED, [...STORED].reverse())).toBe(false);
    expect(sameQuickReplies(STORED, STORED.slice(1))).toBe(false);
    expect(sameQuickReplies(STORED, [{ ...STORED[0]!, text: 'Other' }, STORED[1]!])).toBe(false);
    expect(sameQuickReplies(STORED, [{ ...STORED[0]!, title: 'Other' }, STORED[1]!])).toBe(false);
    expect(sameQuickReplies(STORED, [{ ...STORED[0]!, quickReplyId: 'qr_x' }, STORED[1]!])).toBe(
      false,
    );
    expect(quickReplyOf(copy[0]!)).toEqual(STORED[0]);
  });
});
