import { registryDetailsOf } from '../../../domain/school/details.js';
import { serverOf } from '../../../domain/school/placement.js';
import { defineStep } from './step-module.js';

/** The school's row in the central registry the rest of the platform reads. */
export const registerSchool = defineStep({
  name: 'register_school',
  needs: ['registry', 'credentials'],
  run: async ({ ports, state, run }) => {
    const { details, databaseName, subdomain } = state;
    const { slug, name, district, board, adminEmail } = details;
    const result = await ports.registry.register({
      schoolId: state.id,
      slug,
      name,
      databaseName,
      server: serverOf(state),
      subdomain,
      district,
      board,
      adminEmail,
      databaseRole: ports.credentials.roleFor(databaseName),
      // The password run_migrations set (its key id is in the events), sealed with the active key.
      databasePasswordEncrypted: ports.credentials.encrypt(ports.credentials.passwordFor(state.id, state.credentials)),
    });
    // What the row holds: a row left by a run before a crash gets the details as they are now, and details
    // changed after this read are written again by update_registry.
    const written = registryDetailsOf(details);
    if (result.alreadyRegistered) await ports.registry.updateDetails(state.id, written);
    return {
      type: 'SchoolRegistered',
      data: { ...run(), alreadyRegistered: result.alreadyRegistered, details: written },
    };
  },
  undo: async ({ ports, state, run }) => {
    const result = await ports.registry.unregister(state.id);
    return { type: 'SchoolUnregistered', data: { ...run(), existed: result.existed } };
  },
});
