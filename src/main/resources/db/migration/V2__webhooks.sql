-- Webhooks, consent and callbacks (issue 6): indexes for the queries those features run often.

-- Callback delivery keeps each message's events in order: it looks for an earlier pending event of the
-- same message (message.received events are ordered per contact through event_outbox_contact).
create index event_outbox_message_pending on event_outbox (message_id, id) where state = 'pending';
-- Dead events are listed (GET /v1/events/dead) and counted (gauge wagateway_callbacks_dead).
create index event_outbox_dead on event_outbox (id) where state = 'dead';

-- Stored webhooks that failed to apply are counted (gauge wagateway_webhooks_inbox{state="failed"});
-- applied ones are purged after gateway.webhook.retention.
create index webhook_inbox_failed on webhook_inbox (id) where state = 'failed';
create index webhook_inbox_applied on webhook_inbox (applied_at) where state = 'applied';

-- Orphan statuses of messages that never show up are purged by age.
create index orphan_status_received on orphan_status (received_at);
