import { checkJsonBytes, JsonBodyError } from '../../src/http/json-body-check.js';
import { firstNotUtf8, percentBytes, textFault } from '../../src/http/text-input.js';

const refusal = (raw: Buffer): Pick<JsonBodyError, 'reason' | 'field' | 'message'> | undefined => {
  try {
    checkJsonBytes(raw);
    return undefined;
  } catch (error) {
    const { reason, field, message } = error as JsonBodyError;
    return { reason, field, message };
  }
};
const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

describe('text inputs: UTF-8 without NUL', () => {
  it.each([
    ['board', undefined],
    ['%00', 'contains a NUL character'],
    ['%C3%28', 'is not UTF-8'],
    ['%C3%A9cole', undefined],
    ['%FF', 'is not UTF-8'],
    ['%ED%A0%80', 'is not UTF-8'], // an encoded surrogate
    ['100%', undefined], // a lone % is the character itself
  ])('%s: %s', (raw, fault) => {
    expect(textFault(percentBytes(raw))).toBe(fault);
  });

  it('finds the first character that stands for bytes that are not UTF-8, past a real U+FFFD', () => {
    const raw = bytes('a\uFFFDé', [0xc3, 0x28], 'b');
    expect(firstNotUtf8(raw, raw.toString('utf8'))).toBe(3);
    expect(firstNotUtf8(Buffer.from('a\uFFFD😀'), 'a\uFFFD😀')).toBe(-1);
  });

  it.each([
    ['a NUL in a value', bytes('{"name":"a\\u0000b"}'), 'name', 'contains a NUL character'],
    ['a NUL in a nested value', bytes('{"a":{"b":["x","\\u0000"]}}'), 'a.b', 'contains a NUL character'],
    ['a NUL in a member name', bytes('{"a":{"b\\u0000":1}}'), 'a.b\\u0000', 'contains a NUL character'],
    ['bytes that are not UTF-8 in a value', bytes('{"x":1,"name":"Gr', [0xc3, 0x28], '"}'), 'name', 'is not UTF-8'],
    ['bytes that are not UTF-8 outside strings', bytes('{"x":', [0xff], '}'), '(body)', 'is not UTF-8'],
  ])('a JSON body with %s is refused, naming the field', (_what, raw, field, message) => {
    expect(refusal(raw)).toEqual({ reason: 'invalid-text', field, message });
  });

  it('lets UTF-8 text through, a real U+FFFD included', () => {
    expect(refusal(Buffer.from('{"name":"École \uFFFD 学校"}'))).toBeUndefined();
  });
});
