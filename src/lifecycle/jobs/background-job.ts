/** Work that runs beside the requests once the service is ready, until it stops. */
export interface BackgroundJob {
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
}
