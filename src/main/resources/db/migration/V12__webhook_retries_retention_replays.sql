-- Stored webhooks (issue 16, points 14-16): retries with back-off, a purge that keeps up, replays refused.

-- A failed apply is tried again only once this time has come (back-off from gateway.webhook.retry-initial-backoff
-- doubling up to gateway.webhook.retry-max-backoff); null: due now (every newly stored webhook).
alter table webhook_inbox add column next_attempt_at timestamptz;

-- The purge (WebhookRetentionJob) deletes applied and failed rows by age, oldest first, 5,000 at a time.
-- A btree, not a BRIN: rows change state after the insert and deleted pages are reused, which would leave
-- BRIN ranges covering old and new rows alike. The index that served the old purge by applied_at goes.
create index webhook_inbox_received on webhook_inbox (received_at);
drop index webhook_inbox_applied;

-- The SHA-256 of every signed body received in the last 7 days (Meta's retry horizon): the same bytes again
-- (Meta's own retries, or a replay) are answered 200 and not stored again. Kept apart from the bodies, so a
-- short gateway.webhook.retention does not reopen replays.
create table webhook_digest (
    digest  bytea       primary key,
    seen_at timestamptz not null
);
create index webhook_digest_seen on webhook_digest (seen_at);
