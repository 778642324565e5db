import { schoolDecider } from '../../src/domain/school/decide.js';
import type { SchoolEvent } from '../../src/domain/school/events.js';
import { react } from '../../src/domain/school/react.js';
import { foldSpecification } from '../support/decider-spec.js';
import { ev, everyStepDone, historyBefore, LATER, NOW, provisionedSchool } from '../support/school-spec.js';

/** given(history).when(event).then(reaction): what the process manager does next once `event` is recorded, at `now`. */
const reactingAt = (now: string) =>
  foldSpecification(schoolDecider.evolve, schoolDecider.initialState, (state, event) =>
    react(schoolDecider.evolve(state, event), now),
  );
const given = reactingAt(NOW);

const run = { attempt: 1, startedAt: NOW, finishedAt: NOW };
const teardown: SchoolEvent = { type: 'TeardownRequested', data: { requestedAt: LATER, statusBefore: 'active' } };
const failed = (step: string): SchoolEvent[] => [
  { type: 'ProvisioningStepFailed', data: { ...run, step: step as never, error: 'boom' } },
  { type: 'RollbackStarted', data: { failedStep: step as never, reason: 'boom' } },
];
const revoked: SchoolEvent = { type: 'CertificateRevoked', data: { ...run, provider: 'local', revoked: false } };
const unregistered: SchoolEvent = { type: 'SchoolUnregistered', data: { ...run, existed: true } };
const dropped: SchoolEvent = {
  type: 'DatabaseDropped',
  data: { ...run, databaseName: 'x', existed: false, terminatedConnections: 0 },
};
const released: SchoolEvent = { type: 'SlugReleased', data: { ...run, slug: 'greenwood' } };

describe('react: the process manager reactions', () => {
  it('ignores a school it does not know and schools at rest', () => {
    given().when(ev.slug()).then({ type: 'ignore', reason: 'no such school' });
    given(...everyStepDone())
      .when(ev.provisioned())
      .then({ type: 'ignore', reason: 'school is active' });
  });

  it('runs the steps in order after the request', () => {
    given(ev.requested()).when(ev.slug()).then({ type: 'run', action: 'create_database', attempt: 1 });
    given(ev.requested(), ev.slug()).when(ev.database()).then({ type: 'run', action: 'run_migrations', attempt: 1 });
    given(...historyBefore('register_school'))
      .when(ev.registered())
      .then({ type: 'run', action: 'send_welcome_email', attempt: 1 });
  });

  it('waits for a scheduled retry, then runs the next attempt', () => {
    const retrying: SchoolEvent = {
      type: 'StepAttemptFailed',
      data: { step: 'create_database', attempt: 2, error: 'x', startedAt: NOW, finishedAt: NOW, retryAt: LATER },
    };
    given(ev.requested(), ev.slug()).when(retrying).then({ type: 'wait', until: LATER, action: 'create_database' });
    reactingAt(LATER)(ev.requested(), ev.slug())
      .when(retrying)
      .then({ type: 'run', action: 'create_database', attempt: 3 });
  });

  it('undoes in reverse order on rollback, including the step that failed', () => {
    const [stepFailed, rollbackStarted] = failed('issue_certificate');
    given(...historyBefore('issue_certificate'), stepFailed)
      .when(rollbackStarted)
      .then({ type: 'run', action: 'revoke_certificate', attempt: 1 });
    given(...historyBefore('issue_certificate'), ...failed('issue_certificate'))
      .when(revoked)
      .then({ type: 'run', action: 'delete_dns', attempt: 1 });
  });

  it('tears down everything of an active school, from the registry to the slug', () => {
    given(...provisionedSchool())
      .when(teardown)
      .then({ type: 'run', action: 'unregister_school', attempt: 1 });
  });

  it('withdraws the delivered certificate before revoking it', () => {
    given(...provisionedSchool(), teardown)
      .when(unregistered)
      .then({ type: 'run', action: 'withdraw_certificate', attempt: 1 });
    // A delivery in flight when a rollback begins is withdrawn too (its files may exist without its event).
    given(...historyBefore('deliver_certificate'))
      .when(teardown)
      .then({ type: 'run', action: 'withdraw_certificate', attempt: 1 });
  });

  it('undoes the step in flight when a teardown races it (its side effect may exist without its event)', () => {
    // run_migrations was next: it has no compensation of its own, so the database goes, then the slug.
    given(...historyBefore('run_migrations'))
      .when(teardown)
      .then({ type: 'run', action: 'drop_database', attempt: 1 });
    given(...historyBefore('create_dns'))
      .when(teardown)
      .then({ type: 'run', action: 'delete_dns', attempt: 1 });
  });

  it('concludes when nothing is left to undo', () => {
    given(ev.requested(), ev.slug(), teardown, dropped).when(released).then({ type: 'conclude' });
  });
});
