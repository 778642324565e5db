import { registryDetailsOf } from '../../domain/school/details.js';
import { serverOf } from '../../domain/school/placement.js';
import { connectionOf, deliverConnection, withdrawConnection } from '../../school/deliver-credentials/connection.js';
import { defineStep } from './step-module.js';

/**
 * The school's row in the central registry the rest of the platform reads, and its connection delivered where
 * school apps get it (SCS_CREDENTIALS_DELIVERY; recorded in the event's `credentials`); both taken away on undo.
 */
export const registerSchool = defineStep({
  name: 'register_school',
  needs: ['registry', 'credentials', 'servers', 'credentialsDelivery'],
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
    const credentials = await deliverConnection(ports.credentialsDelivery, state, connectionOf(state, ports));
    return {
      type: 'SchoolRegistered',
      data: {
        ...run(),
        alreadyRegistered: result.alreadyRegistered,
        details: written,
        ...(credentials && { credentials }),
      },
    };
  },
  undo: async ({ ports, state, run }) => {
    const credentials = await withdrawConnection(ports.credentialsDelivery, state);
    const result = await ports.registry.unregister(state.id);
    return {
      type: 'SchoolUnregistered',
      data: { ...run(), existed: result.existed, ...(credentials && { credentials }) },
    };
  },
});
