-- The read model's `document` is its own view (projections/school-read-model/school-view.ts), no longer
-- the domain's folded state. Each row says which shape it holds (the view's own version and the step
-- list, e.g. `2:reserve_slug,create_database,…`): rows written before this migration (or by an older
-- process) hold '1' and are never read as views; the projection rebuilds the table when it finds a row
-- of another shape, and reads fold the school's stream meanwhile.
ALTER TABLE school_read_model ADD COLUMN document_version text NOT NULL DEFAULT '1';
