-- GET /schools?q= finds schools by a prefix of their name (in any case) or of their slug, and ?slug= by
-- their slug. text_pattern_ops lets LIKE 'prefix%' use the index whatever the database's collation (a
-- plain index serves it only under "C"); the slug's serves equality too, so it replaces the plain one.
CREATE INDEX school_read_model_name_prefix_idx ON school_read_model (lower(name) text_pattern_ops);
CREATE INDEX school_read_model_slug_prefix_idx ON school_read_model (slug text_pattern_ops);
DROP INDEX IF EXISTS school_read_model_slug_idx;
