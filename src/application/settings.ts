/** The few settings the use cases need, handed down from the validated configuration. */
export interface AppSettings {
  baseDomain: string;
}
export const APP_SETTINGS = Symbol('AppSettings');
