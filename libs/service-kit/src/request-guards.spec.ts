import {
  bodyProblem,
  MAX_BODY_DEPTH,
  textProblem,
  urlProblem,
  verifyUtf8,
} from './request-guards.js';

const nested = (depth: number): unknown => {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = [value];
  return value;
};

describe('request guards', () => {
  it.each([
    ['plain text', 'Billing question', undefined],
    ['an emoji (a surrogate pair)', 'hi \u{1F600}', undefined],
    ['combining marks', 'Cafe\u0301', undefined],
    ['NUL', 'ab\u0000cd', 'nul'],
    ['a lone high surrogate', 'ab\ud800cd', 'ill-formed'],
    ['a lone low surrogate', 'ab\udc00cd', 'ill-formed'],
    ['a reversed pair', 'ab\udc00\ud800cd', 'ill-formed'],
    ['a high surrogate at the end', 'ab\ud800', 'ill-formed'],
  ])('text with %s → %s', (_label, text, expected) => {
    expect(textProblem(text)).toBe(expected);
  });

  it('accepts an ordinary body', () => {
    expect(
      bodyProblem({ name: 'Billing', members: [{ memberId: 'm1', role: 'Admin' }] }),
    ).toBeUndefined();
  });

  it('names the field holding NUL or a lone surrogate', () => {
    expect(bodyProblem({ members: [{ memberId: 'a\u0000' }] })?.errors).toEqual([
      { field: 'members.0.memberId', message: 'contains a NUL character' },
    ]);
    expect(bodyProblem({ name: 'x\ud800' })?.code).toBe('invalid-text');
    expect(bodyProblem({ ['k\u0000']: 1 })?.code).toBe('invalid-text');
  });

  it(`allows ${MAX_BODY_DEPTH} levels of objects and arrays and refuses one more, even 5,000 deep`, () => {
    expect(bodyProblem(nested(MAX_BODY_DEPTH))).toBeUndefined();
    expect(bodyProblem(nested(MAX_BODY_DEPTH + 1))?.code).toBe('body-too-deep');
    expect(bodyProblem(JSON.parse(`${'['.repeat(5000)}1${']'.repeat(5000)}`))?.getStatus()).toBe(
      400,
    );
  });

  it.each(['__proto__', 'constructor', 'prototype'])('refuses the key %s', (key) => {
    const body = JSON.parse(`{"name":"x","inner":{"${key}":{"admin":true}}}`);
    expect(bodyProblem(body)?.errors).toEqual([
      { field: `inner.${key}`, message: `${key} is not allowed` },
    ]);
  });

  it.each([
    ['/groups/%00', 'malformed-url'],
    ['/groups/%ff', 'malformed-url'],
    ['/groups/%ED%A0%80', 'malformed-url'],
    ['/groups?q=%00', 'malformed-url'],
    ['/groups/abc?q=Caf%C3%A9+x', undefined],
    ['/groups/%F0%9F%98%80', undefined],
  ])('URL %s → %s', (url, code) => {
    expect(urlProblem(url)?.code).toBe(code);
  });

  it('refuses bytes that are not UTF-8 and lets UTF-8 through', () => {
    expect(() => verifyUtf8(null, null, Buffer.from('{"a":"Café"}'))).not.toThrow();
    expect(() => verifyUtf8(null, null, Buffer.from([0x7b, 0xed, 0xa0, 0x80, 0x7d]))).toThrow(
      /UTF-8/,
    );
    expect(() => verifyUtf8(null, null, Buffer.from([0xff]))).toThrow(/UTF-8/);
  });
});
