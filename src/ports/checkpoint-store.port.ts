import type { GlobalPosition } from './event-store.port.js';

/** Where a subscriber (process manager, projection) keeps the position it has handled up to. */
export interface CheckpointStore {
  load(name: string): Promise<GlobalPosition | undefined>;
  save(name: string, position: GlobalPosition): Promise<void>;
}

export const CHECKPOINT_STORE = Symbol('CheckpointStore');
