import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { contextOf } from '../../src/adapters/tracing/otel-tracing.js';
import { redactedStatement } from '../../src/adapters/tracing/start-tracing.js';

describe('tracing: what a span may show, and which parent a stored traceparent names', () => {
  it.each([
    [
      `CREATE ROLE "school_1_owner" LOGIN NOCREATEDB PASSWORD 'pa''ss'`,
      `CREATE ROLE "school_1_owner" LOGIN NOCREATEDB PASSWORD '***'`,
    ],
    [`ALTER ROLE "r" PASSWORD E'a\\'b\\\\c'`, `ALTER ROLE "r" PASSWORD '***'`],
    [
      `alter role r password 'x'; alter role s password 'y'`,
      `alter role r password '***'; alter role s password '***'`,
    ],
    [`SELECT password_changed FROM t WHERE a = 'PASSWORD'`, `SELECT password_changed FROM t WHERE a = 'PASSWORD'`],
  ])('shows %s as %s', (statement, shown) => {
    expect(redactedStatement(statement)).toBe(shown);
  });

  it("parents on a stored traceparent's span, and on the current context when it is malformed", () => {
    const parent = trace.getSpanContext(contextOf('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'));
    expect(parent).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: 1,
      isRemote: true,
    });
    for (const malformed of [
      'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7',
    ]) {
      expect(contextOf(malformed)).toBe(ROOT_CONTEXT);
    }
  });
});
