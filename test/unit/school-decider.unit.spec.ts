import { schoolDecider } from '../../src/domain/school/decide.js';
import type { SchoolEvent } from '../../src/domain/school/events.js';
import { deciderSpecification } from '../support/decider-spec.js';
import { ev, LATER, NOW, provisionedSchool, SCHOOL_ID } from '../support/school-spec.js';

/** The school as one decider composed of its concerns' decisions: one command of each, through the same value. */
const given = deciderSpecification(schoolDecider);
const teardown: SchoolEvent = { type: 'TeardownRequested', data: { requestedAt: LATER, statusBefore: 'active' } };

describe('schoolDecider: decide, evolve and initialState as one value', () => {
  it('starts with no school: a command on it is refused, a request makes it', () => {
    given()
      .when({ type: 'RequestTeardown', data: { now: NOW } })
      .thenThrows(/no such school/);
  });

  it('lifecycle: a teardown requested once, and a repeat is not news', () => {
    given(...provisionedSchool())
      .when({ type: 'RequestTeardown', data: { now: LATER } })
      .then([teardown]);
    given(...provisionedSchool(), teardown)
      .when({ type: 'RequestTeardown', data: { now: LATER } })
      .then([]);
  });

  it('credentials: a read of an active school is recorded with its key and generation', () => {
    given(...provisionedSchool())
      .when({ type: 'RecordCredentialsRead', data: { actor: 'ops', now: LATER } })
      .then([{ type: 'SchoolCredentialsRead', data: { actor: 'ops', keyId: null, generation: 0, readAt: LATER } }]);
  });

  it('moves: a move of a school still provisioning is refused', () => {
    given(ev.requested(), ev.slug())
      .when({ type: 'StartMove', data: { to: 'two', now: LATER } })
      .thenThrows(new RegExp(`school ${SCHOOL_ID} is provisioning, not active`));
  });

  it('certificates: a renewal of a certificate that is not the live one changes nothing', () => {
    const renewed = ev.renewed() as Extract<SchoolEvent, { type: 'CertificateRenewed' }>;
    const stale = { ...renewed, data: { ...renewed.data, previousSerialNumber: 'zz99' } };
    given(...provisionedSchool())
      .when({ type: 'RecordCertificateRenewal', data: { event: stale, now: LATER } })
      .then([]);
    given(...provisionedSchool())
      .when({ type: 'RecordCertificateRenewal', data: { event: renewed, now: LATER } })
      .then([renewed]);
  });
});
