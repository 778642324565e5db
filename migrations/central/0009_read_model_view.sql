-- The read model's `document` is its own view (projections/school-read-model/school-view.ts), no longer
-- the domain's folded state. Each row says which shape it holds: rows written before this migration
-- (or by an older process) hold version 1 and are never read as views; the projection rebuilds the
-- table when it finds one, and reads fold the school's stream meanwhile.
ALTER TABLE school_read_model ADD COLUMN document_version integer NOT NULL DEFAULT 1;
