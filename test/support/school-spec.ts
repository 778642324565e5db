import type { SchoolCommand } from '../../src/domain/school/commands.js';
import { decide } from '../../src/domain/school/decide.js';
import type { SchoolEvent } from '../../src/domain/school/events.js';
import { fold } from '../../src/domain/school/evolve.js';
import { STEPS, type StepName } from '../../src/domain/school/steps.js';

/** given(events).when(command).then(events) / .thenThrows(code), as in Emmett's specs. */
export function given(...history: SchoolEvent[]) {
  return {
    when(command: SchoolCommand) {
      const run = () => decide(command, fold(history));
      return {
        then(expected: SchoolEvent[] | ((events: SchoolEvent[]) => void)) {
          const events = run();
          if (typeof expected === 'function') expected(events);
          else expect(events).toEqual(expected);
        },
        thenTypes(types: string[]) {
          expect(run().map((e) => e.type)).toEqual(types);
        },
        thenThrows(code: string) {
          expect(run).toThrow(expect.objectContaining({ code }));
        },
      };
    },
  };
}

export const SCHOOL_ID = '7d2f3a64-9a41-4c2e-9a57-5a0c1b2d3e4f';
export const NOW = '2026-11-24T10:00:00.000Z';
export const LATER = '2026-11-24T10:00:05.000Z';
export const details = {
  name: 'Greenwood High',
  slug: 'greenwood',
  district: 'Pune',
  board: 'CBSE',
  adminEmail: 'admin@greenwood.example',
  phone: '+919876543210',
};
const run = { attempt: 1, startedAt: NOW, finishedAt: NOW };

/** The events of a school provisioned up to and including `upTo` (by event type). */
export const ev = {
  requested: (): SchoolEvent => ({
    type: 'SchoolRequested',
    data: {
      schoolId: SCHOOL_ID,
      ...details,
      databaseName: 'school_7d2f3a649a414c2e9a575a0c1b2d3e4f',
      subdomain: 'greenwood.syncad.in',
      requestedAt: NOW,
    },
  }),
  slug: (): SchoolEvent => ({
    type: 'SlugReserved',
    data: { ...run, slug: 'greenwood', slugStream: 'school_slug-greenwood', slugRevision: 0 },
  }),
  database: (): SchoolEvent => ({
    type: 'DatabaseCreated',
    data: {
      ...run,
      databaseName: 'school_7d2f3a649a414c2e9a575a0c1b2d3e4f',
      method: 'template',
      alreadyExisted: false,
      durationMs: 80,
    },
  }),
  migrations: (): SchoolEvent => ({
    type: 'MigrationsApplied',
    data: {
      ...run,
      databaseName: 'school_7d2f3a649a414c2e9a575a0c1b2d3e4f',
      schemaVersion: '0003',
      applied: [],
      tableCount: 60,
      durationMs: 10,
    },
  }),
  dns: (): SchoolEvent => ({
    type: 'DnsRecordCreated',
    data: {
      ...run,
      provider: 'local',
      name: 'greenwood.syncad.in',
      recordType: 'A',
      value: '127.0.0.1',
      reference: 'local:2',
    },
  }),
  certificate: (): SchoolEvent => ({
    type: 'CertificateIssued',
    data: {
      ...run,
      provider: 'local',
      domain: 'greenwood.syncad.in',
      reference: 'local:ab12',
      serialNumber: 'ab12',
      issuer: 'CN=SCS Local CA',
      notBefore: NOW,
      notAfter: '2027-02-22T10:00:00.000Z',
    },
  }),
  delivered: (): SchoolEvent => ({
    type: 'CertificateDelivered',
    data: { ...run, delivery: 'none', domain: 'greenwood.syncad.in', serialNumber: 'ab12', changed: false },
  }),
  /** The certificate renewed: serial ab12 replaced by cd34. */
  renewed: (): SchoolEvent => ({
    type: 'CertificateRenewed',
    data: {
      ...run,
      provider: 'local',
      domain: 'greenwood.syncad.in',
      reference: 'local:cd34',
      serialNumber: 'cd34',
      issuer: 'CN=SCS Local CA',
      notBefore: LATER,
      notAfter: '2027-03-01T10:00:00.000Z',
      previousSerialNumber: 'ab12',
      finishedAt: LATER,
    },
  }),
  registered: (): SchoolEvent => ({ type: 'SchoolRegistered', data: { ...run, alreadyRegistered: false } }),
  emailed: (): SchoolEvent => ({
    type: 'WelcomeEmailSent',
    data: { ...run, provider: 'outbox', to: details.adminEmail, messageId: '<welcome@scs.local>' },
  }),
  provisioned: (): SchoolEvent => ({ type: 'SchoolProvisioned', data: { provisionedAt: LATER, durationMs: 5000 } }),
};

/** The event each step records done, in a provisioned school's history: a step without one does not compile. */
const DONE: { [S in StepName]: () => SchoolEvent } = {
  reserve_slug: ev.slug,
  create_database: ev.database,
  run_migrations: ev.migrations,
  create_dns: ev.dns,
  issue_certificate: ev.certificate,
  deliver_certificate: ev.delivered,
  register_school: ev.registered,
  send_welcome_email: ev.emailed,
};

/**
 * The request and the done events of the steps before `step`, in step order: a school whose next step
 * is `step`. By name, so that a step added to the order does not shift what a spec means.
 */
export function historyBefore(step: StepName): SchoolEvent[] {
  return [ev.requested(), ...STEPS.slice(0, STEPS.indexOf(step)).map((before) => DONE[before]())];
}

/** The done events of the steps from `first` up to (not including) `before`, in step order. */
export function stepsDone(first: StepName, before: StepName): SchoolEvent[] {
  return STEPS.slice(STEPS.indexOf(first), STEPS.indexOf(before)).map((step) => DONE[step]());
}

/** The request and every step done: a school one `SchoolProvisioned` short of active. */
export function everyStepDone(): SchoolEvent[] {
  return [ev.requested(), ...STEPS.map((step) => DONE[step]())];
}

export function provisionedSchool(): SchoolEvent[] {
  return [...everyStepDone(), ev.provisioned()];
}
