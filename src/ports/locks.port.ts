/**
 * Exclusive work between replicas: one process at a time works on a school, and one runs the
 * projection. A lock is released when its holder releases it or dies (its connection closes).
 */
export interface Locks {
  /** The lock if it was free, else undefined (someone else holds it). */
  tryLock(name: string): Promise<{ release(): Promise<void> } | undefined>;
}

export const LOCKS = Symbol('Locks');

/** For a single process (and tests): every lock is always free. */
export const noLocks: Locks = { tryLock: async () => ({ release: async () => undefined }) };
