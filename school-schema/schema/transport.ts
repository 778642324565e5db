// Transport: vehicles, drivers, routes and their stops, and which students ride them.
import {
  check,
  date,
  foreignKey,
  index,
  integer,
  numeric,
  pgTable,
  primaryKey,
  smallint,
  text,
  time,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { staff } from './staff.js';
import { students } from './students.js';
import { academicYears } from './academics.js';

export const vehicles = pgTable(
  'vehicles',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    registrationNumber: text('registration_number').notNull(),
    capacity: smallint().notNull(),
    insuranceExpiresOn: date('insurance_expires_on'),
    fitnessExpiresOn: date('fitness_expires_on'),
  },
  (table) => [
    unique('vehicles_registration_number_key').on(table.registrationNumber),
    check('vehicles_capacity_check', sql`capacity > 0`),
  ],
);

export const drivers = pgTable(
  'drivers',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    staffId: uuid('staff_id'),
    name: text().notNull(),
    licenceNumber: text('licence_number').notNull(),
    licenceExpiresOn: date('licence_expires_on').notNull(),
    phone: text().notNull(),
  },
  (table) => [
    foreignKey({
      columns: [table.staffId],
      foreignColumns: [staff.id],
      name: 'drivers_staff_id_fkey',
    }).onDelete('set null'),
    unique('drivers_staff_id_key').on(table.staffId),
    unique('drivers_licence_number_key').on(table.licenceNumber),
  ],
);

export const transportRoutes = pgTable(
  'transport_routes',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    code: text().notNull(),
    name: text().notNull(),
    vehicleId: integer('vehicle_id'),
    driverId: integer('driver_id'),
    monthlyFee: numeric('monthly_fee', { precision: 10, scale: 2 })
      .default(sql`0`)
      .notNull(),
  },
  (table) => [
    index('transport_routes_driver_idx').using('btree', table.driverId),
    index('transport_routes_vehicle_idx').using('btree', table.vehicleId),
    foreignKey({
      columns: [table.vehicleId],
      foreignColumns: [vehicles.id],
      name: 'transport_routes_vehicle_id_fkey',
    }).onDelete('set null'),
    foreignKey({
      columns: [table.driverId],
      foreignColumns: [drivers.id],
      name: 'transport_routes_driver_id_fkey',
    }).onDelete('set null'),
    unique('transport_routes_code_key').on(table.code),
    check('transport_routes_monthly_fee_check', sql`monthly_fee >= (0)::numeric`),
  ],
);

export const routeStops = pgTable(
  'route_stops',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    routeId: integer('route_id').notNull(),
    name: text().notNull(),
    sequence: smallint().notNull(),
    pickupTime: time('pickup_time'),
    dropTime: time('drop_time'),
    latitude: numeric({ precision: 9, scale: 6 }),
    longitude: numeric({ precision: 9, scale: 6 }),
  },
  (table) => [
    foreignKey({
      columns: [table.routeId],
      foreignColumns: [transportRoutes.id],
      name: 'route_stops_route_id_fkey',
    }).onDelete('cascade'),
    unique('route_stops_route_id_sequence_key').on(table.routeId, table.sequence),
    check('route_stops_sequence_check', sql`sequence > 0`),
  ],
);

export const transportAssignments = pgTable(
  'transport_assignments',
  {
    studentId: uuid('student_id').notNull(),
    academicYearId: integer('academic_year_id').notNull(),
    stopId: integer('stop_id').notNull(),
    startsOn: date('starts_on').notNull(),
    endsOn: date('ends_on'),
  },
  (table) => [
    index('transport_assignments_stop_idx').using('btree', table.stopId),
    index('transport_assignments_year_idx').using('btree', table.academicYearId),
    foreignKey({
      columns: [table.studentId],
      foreignColumns: [students.id],
      name: 'transport_assignments_student_id_fkey',
    }).onDelete('cascade'),
    foreignKey({
      columns: [table.academicYearId],
      foreignColumns: [academicYears.id],
      name: 'transport_assignments_academic_year_id_fkey',
    }),
    foreignKey({
      columns: [table.stopId],
      foreignColumns: [routeStops.id],
      name: 'transport_assignments_stop_id_fkey',
    }),
    primaryKey({ columns: [table.studentId, table.academicYearId], name: 'transport_assignments_pkey' }),
  ],
);
