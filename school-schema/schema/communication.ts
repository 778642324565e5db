// Communication: notices and who they are for, the school calendar, messages between users, and the audit log.
import {
  bigint,
  boolean,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { roles, users } from './access.js';
import { staff } from './staff.js';
import { academicYears, sections } from './academics.js';

export const notices = pgTable(
  'notices',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    title: text().notNull(),
    body: text().notNull(),
    publishedBy: uuid('published_by'),
    publishedAt: timestamp('published_at', { withTimezone: true, mode: 'string' }).defaultNow().notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'string' }),
    isPinned: boolean('is_pinned').default(false).notNull(),
  },
  (table) => [
    index('notices_published_by_idx').using('btree', table.publishedBy),
    index('notices_published_idx').using('btree', table.publishedAt.desc().nullsFirst()),
    foreignKey({
      columns: [table.publishedBy],
      foreignColumns: [staff.id],
      name: 'notices_published_by_fkey',
    }).onDelete('set null'),
  ],
);

export const noticeAudiences = pgTable(
  'notice_audiences',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    noticeId: bigint('notice_id', { mode: 'number' }).notNull(),
    roleId: smallint('role_id'),
    sectionId: integer('section_id'),
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  },
  (table) => [
    index('notice_audiences_notice_idx').using('btree', table.noticeId),
    index('notice_audiences_role_idx').using('btree', table.roleId),
    index('notice_audiences_section_idx').using('btree', table.sectionId),
    foreignKey({
      columns: [table.noticeId],
      foreignColumns: [notices.id],
      name: 'notice_audiences_notice_id_fkey',
    }).onDelete('cascade'),
    foreignKey({
      columns: [table.roleId],
      foreignColumns: [roles.id],
      name: 'notice_audiences_role_id_fkey',
    }),
    foreignKey({
      columns: [table.sectionId],
      foreignColumns: [sections.id],
      name: 'notice_audiences_section_id_fkey',
    }).onDelete('cascade'),
    check('notice_audiences_check', sql`(role_id IS NOT NULL) OR (section_id IS NOT NULL)`),
  ],
);

export const calendarEvents = pgTable(
  'calendar_events',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    academicYearId: integer('academic_year_id'),
    title: text().notNull(),
    description: text(),
    startsAt: timestamp('starts_at', { withTimezone: true, mode: 'string' }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true, mode: 'string' }).notNull(),
    location: text(),
  },
  (table) => [
    index('calendar_events_starts_idx').using('btree', table.startsAt),
    index('calendar_events_year_idx').using('btree', table.academicYearId, table.startsAt),
    foreignKey({
      columns: [table.academicYearId],
      foreignColumns: [academicYears.id],
      name: 'calendar_events_academic_year_id_fkey',
    }).onDelete('cascade'),
    check('calendar_events_check', sql`ends_at >= starts_at`),
  ],
);

export const messages = pgTable(
  'messages',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    senderUserId: uuid('sender_user_id').notNull(),
    subject: text().notNull(),
    body: text().notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true, mode: 'string' }).defaultNow().notNull(),
  },
  (table) => [
    index('messages_sender_idx').using('btree', table.senderUserId, table.sentAt),
    foreignKey({
      columns: [table.senderUserId],
      foreignColumns: [users.id],
      name: 'messages_sender_user_id_fkey',
    }),
  ],
);

export const messageRecipients = pgTable(
  'message_recipients',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    messageId: bigint('message_id', { mode: 'number' }).notNull(),
    recipientUserId: uuid('recipient_user_id').notNull(),
    readAt: timestamp('read_at', { withTimezone: true, mode: 'string' }),
  },
  (table) => [
    index('message_recipients_recipient_idx').using('btree', table.recipientUserId, table.readAt),
    foreignKey({
      columns: [table.messageId],
      foreignColumns: [messages.id],
      name: 'message_recipients_message_id_fkey',
    }).onDelete('cascade'),
    foreignKey({
      columns: [table.recipientUserId],
      foreignColumns: [users.id],
      name: 'message_recipients_recipient_user_id_fkey',
    }).onDelete('cascade'),
    primaryKey({ columns: [table.messageId, table.recipientUserId], name: 'message_recipients_pkey' }),
  ],
);

export const auditLog = pgTable(
  'audit_log',
  {
    // You can use { mode: "bigint" } if numbers are exceeding js number limitations
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    userId: uuid('user_id'),
    action: text().notNull(),
    entity: text().notNull(),
    entityId: text('entity_id'),
    details: jsonb(),
    at: timestamp({ withTimezone: true, mode: 'string' }).defaultNow().notNull(),
  },
  (table) => [
    index('audit_log_at_idx').using('btree', table.at),
    index('audit_log_entity_idx').using('btree', table.entity, table.entityId),
    index('audit_log_user_idx').using('btree', table.userId, table.at),
    foreignKey({
      columns: [table.userId],
      foreignColumns: [users.id],
      name: 'audit_log_user_id_fkey',
    }).onDelete('set null'),
  ],
);
