import { isTransient, TransientFailure, UnprocessableEvent } from './errors.js';

const named = (name: string, extra: object = {}) => Object.assign(new Error('x'), { name }, extra);

describe('isTransient', () => {
  it.each([
    ['a MongoDB network error', named('MongoNetworkError')],
    ['no MongoDB server selectable', named('MongoServerSelectionError')],
    ['a refused connection', Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })],
    ['a Kafka connection error', named('KafkaJSConnectionError')],
    ['a closed Redis connection', new Error('Connection is closed.')],
    ['a handler saying so', new TransientFailure('replica not caught up')],
    ['an outage behind a wrapper', new Error('wrapped', { cause: named('MongoNetworkError') })],
  ])('retries without limit on %s', (_, error) => {
    expect(isTransient(error)).toBe(true);
  });

  it.each([
    ['a programming error', new TypeError('cannot read x of undefined')],
    ['a rule the event breaks', new UnprocessableEvent('unknown group')],
    ['a duplicate key', Object.assign(new Error('E11000'), { code: 11000 })],
    ['something not an Error', 'boom'],
  ])('does not treat %s as an outage', (_, error) => {
    expect(isTransient(error)).toBe(false);
  });
});
