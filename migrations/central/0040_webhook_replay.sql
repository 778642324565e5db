-- Webhook endpoints re-enabled and replayed (issue 29). `generation` grows with each replay: a checkpoint
-- is saved only by a worker of the current generation (a worker still running from before the replay must
-- not move the endpoint past it), and the dispatcher restarts a worker whose generation is old.
-- `enabled_at`: the retry window of an event counts only the attempts since the endpoint was last enabled.
ALTER TABLE scs_webhook_endpoints ADD COLUMN generation int NOT NULL DEFAULT 0;
ALTER TABLE scs_webhook_endpoints ADD COLUMN enabled_at timestamptz;
