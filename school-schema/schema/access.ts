// People and access: who can sign in (users), what they may do (roles, permissions and the tables joining them), and
// the school's own settings.
import {
  boolean,
  foreignKey,
  index,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';

export const roles = pgTable(
  'roles',
  {
    id: smallint().primaryKey().generatedAlwaysAsIdentity(),
    code: text().notNull(),
    name: text().notNull(),
  },
  (table) => [unique('roles_code_key').on(table.code)],
);

export const permissions = pgTable(
  'permissions',
  {
    id: smallint().primaryKey().generatedAlwaysAsIdentity(),
    code: text().notNull(),
    description: text().notNull(),
  },
  (table) => [unique('permissions_code_key').on(table.code)],
);

export const users = pgTable(
  'users',
  {
    id: uuid().defaultRandom().primaryKey().notNull(),
    email: text().notNull(),
    displayName: text('display_name').notNull(),
    passwordHash: text('password_hash'),
    isActive: boolean('is_active').default(true).notNull(),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true, mode: 'string' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' }).defaultNow().notNull(),
  },
  (table) => [unique('users_email_key').on(table.email)],
);

export const rolePermissions = pgTable(
  'role_permissions',
  {
    roleId: smallint('role_id').notNull(),
    permissionId: smallint('permission_id').notNull(),
  },
  (table) => [
    index('role_permissions_permission_idx').using('btree', table.permissionId),
    foreignKey({
      columns: [table.roleId],
      foreignColumns: [roles.id],
      name: 'role_permissions_role_id_fkey',
    }).onDelete('cascade'),
    foreignKey({
      columns: [table.permissionId],
      foreignColumns: [permissions.id],
      name: 'role_permissions_permission_id_fkey',
    }).onDelete('cascade'),
    primaryKey({ columns: [table.roleId, table.permissionId], name: 'role_permissions_pkey' }),
  ],
);

export const userRoles = pgTable(
  'user_roles',
  {
    userId: uuid('user_id').notNull(),
    roleId: smallint('role_id').notNull(),
  },
  (table) => [
    index('user_roles_role_idx').using('btree', table.roleId),
    foreignKey({
      columns: [table.userId],
      foreignColumns: [users.id],
      name: 'user_roles_user_id_fkey',
    }).onDelete('cascade'),
    foreignKey({
      columns: [table.roleId],
      foreignColumns: [roles.id],
      name: 'user_roles_role_id_fkey',
    }),
    primaryKey({ columns: [table.userId, table.roleId], name: 'user_roles_pkey' }),
  ],
);

export const schoolSettings = pgTable('school_settings', {
  key: text().primaryKey().notNull(),
  value: jsonb().notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'string' }).defaultNow().notNull(),
});
