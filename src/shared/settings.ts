/** The few settings the use cases need, handed down from the validated configuration. */
export interface AppSettings {
  baseDomain: string;
  /** Slugs reserved besides the domain's built-in ones (SCS_RESERVED_SLUGS). */
  reservedSlugs: readonly string[];
  /** How long a deleted school's archive is kept, so restorable (SCS_ARCHIVE_RETENTION_DAYS). */
  archiveRetentionDays: number;
}
export const APP_SETTINGS = Symbol('AppSettings');
