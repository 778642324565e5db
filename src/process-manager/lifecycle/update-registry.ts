import { registryDetailsOf } from '../../domain/school/details.js';
import { defineLifecycleAction } from '../steps/step-module.js';

/** The registry row follows the school's details (after `SchoolDetailsChanged`), recording what it wrote. */
export const updateRegistry = defineLifecycleAction({
  name: 'update_registry',
  needs: ['registry'],
  run: async ({ ports, state, run }) => {
    const details = registryDetailsOf(state.details);
    const { updated } = await ports.registry.updateDetails(state.id, details);
    return { type: 'SchoolRegistryUpdated', data: { ...run(), ...details, existed: updated } };
  },
});
