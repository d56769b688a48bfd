-- Read receipts (issue 10 part C): a read request is a row state, not an in-memory call, so it survives a
-- restart and goes once. The sender's dispatcher (the replica holding its lease) claims pending rows,
-- sends the Cloud API read receipt through the sender's rate limiter, and records the outcome.
alter table inbound_message
    add column read_state           text,              -- null (never asked) | pending | sent | failed
    add column read_requested_at    timestamptz,
    add column read_typing          boolean not null default false,  -- send typing_indicator {type: text} with it
    add column read_attempts        integer not null default 0,
    add column read_next_attempt_at timestamptz,       -- due time; pushed ahead by a claim (the claim's lease)
    add column read_error_code      integer,
    add column read_error_title     text,
    add constraint inbound_message_read_state_check check (read_state in ('pending','sent','failed'));

-- The dispatcher's claim: due read receipts of one sender, in claim order (id included, so the LIMIT reads
-- the index in order instead of sorting every due row: 50 of 20,000 pending in 7 ms instead of 35 ms).
create index inbound_message_read_pending on inbound_message (sender, read_next_attempt_at, id)
    where read_state = 'pending';
