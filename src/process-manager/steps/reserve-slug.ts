import { releaseSlug } from '../../school/request-school/slug-claims.js';
import { defineStep } from './step-module.js';

/** The slug is claimed by `POST /school` itself (race-free), and released on undo. */
export const reserveSlug = defineStep({
  name: 'reserve_slug',
  needs: ['store'],
  run: async () => {
    // Claimed synchronously by POST /school; the event is written with the request.
    throw new Error('reserve_slug is recorded with the request');
  },
  undo: async ({ ports, state, metadata, run }) => {
    await releaseSlug(ports.store, state.details.slug, state.id, metadata);
    return { type: 'SlugReleased', data: { ...run(), slug: state.details.slug } };
  },
});
