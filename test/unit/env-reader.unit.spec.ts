import { EnvReader, listOf } from '../../src/config/env-reader.js';

/** A reader over `env`, and the problems it records. */
const reader = (env: Record<string, string>) => {
  const problems: string[] = [];
  return { read: new EnvReader(env, problems), problems };
};

describe('EnvReader', () => {
  it('reads whole numbers in a range, falling back (with a problem) on anything else', () => {
    const { read, problems } = reader({ A: '7', B: '', C: '1.5', D: '99' });
    expect([
      read.int('A', 1, 0, 10),
      read.int('B', 1, 0, 10),
      read.int('C', 1, 0, 10),
      read.int('D', 1, 0, 10),
    ]).toEqual([7, 1, 1, 1]);
    expect(problems).toEqual(['C=1.5 must be a whole number from 0 to 10', 'D=99 must be a whole number from 0 to 10']);
  });

  it('reads a choice (the first when unset) and a flag (true/1, false/0, any case)', () => {
    const { read, problems } = reader({ MODE: 'b', BAD: 'z', ON: 'TRUE', OFF: '0', ODD: 'yes' });
    expect([read.oneOf('MODE', ['a', 'b']), read.oneOf('UNSET', ['a', 'b']), read.oneOf('BAD', ['a', 'b'])]).toEqual([
      'b',
      'a',
      'a',
    ]);
    expect([read.flag('ON'), read.flag('OFF'), read.flag('UNSET'), read.flag('ODD')]).toEqual([
      true,
      false,
      false,
      false,
    ]);
    expect(problems).toEqual(['BAD=z must be one of: a, b', 'ODD=yes must be true or false']);
  });

  it('names what is required and why, and checks a URL only when there is one', () => {
    const { read, problems } = reader({ URL: 'ftp://x' });
    expect(read.required('NEEDED', 'with X=y')).toBe('');
    read.checkUrl('URL', 'ftp://x', ['http:', 'https:']);
    read.checkUrl('EMPTY', '', ['http:']);
    read.checkUrl('BROKEN', 'not a url', ['http:']);
    expect(problems).toEqual([
      'NEEDED is required with X=y',
      'URL must be a http: or https: URL',
      'BROKEN is not a valid URL',
    ]);
  });

  it('splits lists on commas, trimmed, empty entries dropped', () => {
    expect(listOf(' a , b,,c ')).toEqual(['a', 'b', 'c']);
    expect(listOf(undefined)).toEqual([]);
  });
});
