/**
 * Fields a log line about a school carries (one name per thing, as in the API, events and metrics);
 * the logging adapter writes them as JSON fields.
 */
interface LogFields {
  schoolId?: string;
  slug?: string;
  correlationId?: string;
  step?: string;
  [field: string]: unknown;
}

/** The slice of a logger the application needs (Nest's Logger fits). */
export interface AppLogger {
  log(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export const silentLogger: AppLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };
