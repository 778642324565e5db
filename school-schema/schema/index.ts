// The school database: every table a school app uses, kept by the school apps (Drizzle), one module per area.
// Edit a table in its module, then `npm run school-schema:generate -- --name <what_changed>` writes its
// migration into ../migrations (never edit a migration once it has been deployed). drizzle-kit reads every
// file of this folder (drizzle.config.ts), so a new module needs nothing there; export it here as well, for
// the apps that import the whole schema. First written by `drizzle-kit pull` from the schema SCS shipped as
// SQL files (migrations 0000-0003 are those files, one for one, in Drizzle's form), then split by area.
//
// A module imports the tables it references from the module that owns them, and references point one way
// (no import cycle): access ← staff, students ← academics ← attendance, exams, fees, transport, hostel,
// communication ← library (a fine is settled by a payment, in fees). Two tables that reference each other
// (staff and departments) share a module.
export * from './access.js';
export * from './staff.js';
export * from './students.js';
export * from './academics.js';
export * from './attendance.js';
export * from './exams.js';
export * from './fees.js';
export * from './transport.js';
export * from './library.js';
export * from './hostel.js';
export * from './communication.js';
