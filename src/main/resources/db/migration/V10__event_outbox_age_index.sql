-- The outbox purge (EventRetentionJob) looks rows up by age. A BRIN index fits an append-mostly table whose
-- created_at grows with its physical order: a few pages, nearly free to maintain on the hot insert path,
-- and it lets the purge find old rows without walking the whole table when few of them are due.
create index event_outbox_created_brin on event_outbox using brin (created_at);
