-- Threads, conversations and the live event stream (issue 10, part A).

-- Stream position: event_outbox.id is a bigserial, allocated when a row is inserted but visible only when
-- its transaction commits, so ids appear out of order and a reader tailing "id > last" could skip an event
-- whose transaction committed late. A sequencer (wagateway.event.EventSequencer) stamps committed rows with
-- a position from this sequence in one short transaction at a time (advisory lock): every position is
-- visible before any larger one is handed out, so "position > last" is gap-free. It is the SSE event id.
alter table event_outbox add column position bigint;
create sequence event_stream_position;
-- Rows committed before this migration are all visible: their id order is a valid stream order.
update event_outbox set position = id;
select setval('event_stream_position', coalesce((select max(id) from event_outbox), 0) + 1, false);
create unique index event_outbox_position on event_outbox (position) where position is not null;
-- The sequencer's work list: tiny, rows leave it within one stream poll.
create index event_outbox_unpositioned on event_outbox (id) where position is null;
-- Catch-up of a stream filtered by contact.
create index event_outbox_contact_position on event_outbox (contact_phone, position) where position is not null;

-- Threads (GET /v1/contacts/{phone}/messages) page newest first over (time, id) of both tables.
-- outbound_message (recipient, id) exists; its id is a UUIDv7, so id order is creation order, and
-- created_at comes with it for the merge. Inbound pages by Meta's timestamp, tie-broken by id.
create index inbound_message_thread on inbound_message (from_phone, sent_at desc, id desc);
-- Unread inbound per contact (GET /v1/conversations): only unread rows are indexed, so the count stays
-- small however long the history is.
create index inbound_message_unread on inbound_message (from_phone) where read_at is null;
-- Conversations by outbound activity: latest message per recipient, newest first.
create index outbound_message_recipient_created on outbound_message (recipient, created_at desc);
