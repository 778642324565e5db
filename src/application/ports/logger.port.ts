/** The slice of a logger the application needs (Nest's Logger fits). */
export interface AppLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: AppLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };
